//! Latency histograms and error tallies, kept per task without locks and merged at the end.
//!
//! The histogram is HDR-like: values below 128 ns are exact, larger values fall into buckets of
//! 128 linear steps per power of two, so a bucket is at most 1/128 (< 0.8%) of its value wide.
//! Recording is a shift and an add; a histogram is about 43 KB and only allocated when used.

use std::time::Duration;

const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS;
/// Powers of two above 128 ns that are kept: up to 2^48 ns (78 hours); longer is clamped.
const SHIFTS: u64 = 41;
const BUCKETS: usize = (SUB + SHIFTS * SUB) as usize;
const LARGEST: u64 = (1 << (SHIFTS as u32 + SUB_BITS)) - 1;

#[derive(Default, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

fn index(v: u64) -> usize {
    let v = v.min(LARGEST);
    if v < SUB {
        return v as usize;
    }
    let shift = u64::from(63 - v.leading_zeros() - SUB_BITS);
    (SUB + shift * SUB + ((v >> shift) - SUB)) as usize
}

/// The middle of bucket `i`, which is within half a bucket (< 0.4%) of every value in it.
fn value_at(i: usize) -> u64 {
    let i = i as u64;
    if i < SUB {
        return i;
    }
    let shift = (i - SUB) / SUB;
    let lower = (SUB + (i - SUB) % SUB) << shift;
    lower + ((1 << shift) >> 1)
}

impl Histogram {
    pub fn record(&mut self, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS];
        }
        self.counts[index(ns)] += 1;
        self.total += 1;
        self.max = self.max.max(ns);
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.counts.is_empty() {
            return;
        }
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS];
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.max)
    }

    /// The value at quantile `q` (0.5 = median): the smallest recorded value such that a share
    /// `q` of all values is at or below it, to bucket precision. Zero when nothing was recorded.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        if rank == self.total {
            return self.max();
        }
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Duration::from_nanos(value_at(i).min(self.max));
            }
        }
        self.max()
    }
}

/// Non-2xx answers (status 0 for transport errors) with the first body excerpt of each status.
#[derive(Default, Clone)]
pub struct ErrorLog {
    kinds: Vec<(u16, u64, String)>,
}

const DISTINCT: usize = 6;

impl ErrorLog {
    pub fn record(&mut self, status: u16, body: &[u8]) {
        self.add(status, 1, || excerpt(body));
    }

    pub fn merge(&mut self, other: &ErrorLog) {
        for (status, n, text) in &other.kinds {
            self.add(*status, *n, || text.clone());
        }
    }

    fn add(&mut self, status: u16, n: u64, text: impl FnOnce() -> String) {
        if let Some(k) = self.kinds.iter_mut().find(|k| k.0 == status) {
            k.1 += n;
        } else if self.kinds.len() < DISTINCT {
            self.kinds.push((status, n, text()));
        } else if let Some(last) = self.kinds.last_mut() {
            // Past the distinct limit the rest is lumped with the last kind, still counted.
            last.1 += n;
        }
    }

    pub fn print(&self, indent: &str) {
        for (status, n, text) in &self.kinds {
            let status = match status {
                0 => "transport".to_owned(),
                s => s.to_string(),
            };
            println!("{indent}error {status} ×{n}: {text}");
        }
    }
}

/// The first 200 characters of a body on one line.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one_line.chars().take(200).collect();
    if one_line.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// What one kind of request did: latency of the successes, successes, failures.
#[derive(Default, Clone)]
pub struct Tally {
    pub latency: Histogram,
    pub failed: u64,
    pub errors: ErrorLog,
    /// Resources carried by the successful requests, for bundles.
    pub resources: u64,
}

impl Tally {
    /// Only 2xx count as successes; a fast 401 must not pass for a fast read, so failures are
    /// counted and kept apart from the latency figures.
    /// `resources` is what the request carried, for bundles (0 otherwise).
    pub fn record(&mut self, status: u16, took: Duration, body: &[u8], resources: usize) {
        if (200..300).contains(&status) {
            self.latency.record(took);
            self.resources += resources as u64;
        } else {
            self.failed += 1;
            self.errors.record(status, body);
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.latency.merge(&other.latency);
        self.failed += other.failed;
        self.errors.merge(&other.errors);
        self.resources += other.resources;
    }

    pub fn ok(&self) -> u64 {
        self.latency.count()
    }

    /// One line of figures, and a resources/s figure when the requests carried bundles.
    pub fn print(&self, label: &str, seconds: f64) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let rate = self.ok() as f64 / seconds;
        let h = &self.latency;
        println!(
            "{label:<8} requests {:>8}  errors {:>6}  req/s {:>9.1}  p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  max {:>8.2} ms",
            self.ok() + self.failed,
            self.failed,
            rate,
            ms(h.quantile(0.50)),
            ms(h.quantile(0.95)),
            ms(h.quantile(0.99)),
            ms(h.max()),
        );
        if self.resources > 0 {
            println!(
                "{:<8} resources/s {:.1} ({:.0} per bundle)",
                "",
                self.resources as f64 / seconds,
                self.resources as f64 / self.ok() as f64
            );
        }
        self.errors.print("         ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn within(got: Duration, want: Duration, share: f64) -> bool {
        (got.as_secs_f64() - want.as_secs_f64()).abs() <= want.as_secs_f64() * share
    }

    #[test]
    fn quantiles_of_a_known_series() {
        let mut h = Histogram::default();
        for ms in 1..=100 {
            h.record(Duration::from_millis(ms));
        }
        assert_eq!(h.count(), 100);
        let ms = Duration::from_millis;
        assert!(
            within(h.quantile(0.50), ms(50), 0.01),
            "{:?}",
            h.quantile(0.5)
        );
        assert!(within(h.quantile(0.95), ms(95), 0.01));
        assert!(
            within(h.quantile(0.99), ms(99), 0.01),
            "{:?}",
            h.quantile(0.99)
        );
        assert_eq!(h.quantile(1.0), ms(100));
        assert_eq!(h.max(), ms(100));
    }

    #[test]
    fn merged_histograms_equal_one_histogram_of_everything() {
        let (mut a, mut b, mut all) = (
            Histogram::default(),
            Histogram::default(),
            Histogram::default(),
        );
        for us in 1..=10_000u64 {
            let d = Duration::from_micros(us * 37 % 10_007);
            let part = if us % 3 == 0 { &mut a } else { &mut b };
            part.record(d);
            all.record(d);
        }
        let mut merged = a;
        merged.merge(&b);
        for q in [0.1, 0.5, 0.9, 0.99, 0.999] {
            assert_eq!(merged.quantile(q), all.quantile(q));
        }
    }

    #[test]
    fn buckets_are_exact_when_small_and_within_one_percent_when_large() {
        for v in [0u64, 1, 5, 127] {
            assert_eq!(value_at(index(v)), v);
        }
        for v in [128u64, 1_000, 123_456, 9_876_543_210, LARGEST] {
            let got = value_at(index(v)) as f64;
            assert!((got - v as f64).abs() <= v as f64 * 0.01, "{v} -> {got}");
        }
        assert_eq!(index(LARGEST), BUCKETS - 1);
        assert_eq!(index(u64::MAX), BUCKETS - 1);
        assert_eq!(Histogram::default().quantile(0.99), Duration::ZERO);
    }

    #[test]
    fn errors_keep_the_first_excerpt_of_each_status() {
        let mut t = Tally::default();
        t.record(201, Duration::from_millis(1), b"", 0);
        t.record(404, Duration::from_millis(1), b"{\n \"issue\": 1 }", 0);
        t.record(404, Duration::from_millis(1), b"later", 0);
        t.record(0, Duration::ZERO, b"connection refused", 0);
        assert_eq!((t.ok(), t.failed), (1, 3));
        assert_eq!(t.errors.kinds[0], (404, 2, "{ \"issue\": 1 }".to_owned()));
        assert_eq!(t.errors.kinds[1].0, 0);
    }

    #[test]
    fn only_successful_bundles_count_their_resources() {
        let mut t = Tally::default();
        t.record(200, Duration::from_millis(1), b"", 500);
        t.record(400, Duration::from_millis(1), b"bad", 500);
        let mut u = Tally::default();
        u.record(200, Duration::from_millis(1), b"", 49);
        t.merge(&u);
        assert_eq!((t.ok(), t.resources), (2, 549));
    }
}
