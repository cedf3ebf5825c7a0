//! Scheduling rules, free of I/O: which time an appointment holds, opening hours and
//! exceptions in a time zone (DST-correct), conflict detection that reports every conflict,
//! slot search, therapy series and day optimisation. Times are µs since the Unix epoch.

pub mod appointment;
pub mod calendar;
pub mod conflicts;
pub mod ics;
pub mod optimise;
pub mod series;
pub mod slots;
pub mod zone;

pub use appointment::{HeldTime, held_times, holds_time};

/// One minute in µs.
pub const MINUTE: i64 = 60_000_000;

/// A half-open span of time `[start, end)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: i64,
    pub end: i64,
}

impl Span {
    pub fn new(start: i64, end: i64) -> Self {
        Span { start, end }
    }
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    pub fn len(&self) -> i64 {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// `spans` minus every span of `holes`; both need not be sorted. Result sorted, non-empty.
pub fn subtract(spans: &[Span], holes: &[Span]) -> Vec<Span> {
    let mut holes: Vec<Span> = holes.to_vec();
    holes.sort();
    let mut out = Vec::new();
    for s in spans {
        let mut cur = s.start;
        for h in holes.iter().filter(|h| h.overlaps(s)) {
            if h.start > cur {
                out.push(Span::new(cur, h.start));
            }
            cur = cur.max(h.end);
        }
        if cur < s.end {
            out.push(Span::new(cur, s.end));
        }
    }
    out.sort();
    out
}

/// The spans common to both lists (each sorted, non-overlapping).
pub fn intersect(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let s = a[i].start.max(b[j].start);
        let e = a[i].end.min(b[j].end);
        if s < e {
            out.push(Span::new(s, e));
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtract_and_intersect() {
        let day = [Span::new(0, 100)];
        let free = subtract(
            &day,
            &[Span::new(10, 20), Span::new(15, 30), Span::new(90, 200)],
        );
        assert_eq!(free, vec![Span::new(0, 10), Span::new(30, 90)]);
        let other = [Span::new(5, 40)];
        assert_eq!(
            intersect(&free, &other),
            vec![Span::new(5, 10), Span::new(30, 40)]
        );
    }
}
