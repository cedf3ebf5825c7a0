//! FHIR date, dateTime and instant values as inclusive microsecond ranges: a value stands for
//! the whole span of its precision (`2024` is all of 2024, `2024-03-05` the whole day). Values
//! without a zone are taken as UTC.

use jiff::civil::Date;

/// Range `[lo, hi]` in microseconds since the epoch, or `None` if the text is not a FHIR date.
pub fn parse_range(text: &str) -> Option<(i64, i64)> {
    let t = text.trim();
    match t.len() {
        4 => {
            let y: i16 = t.parse().ok()?;
            span(
                Date::new(y, 1, 1).ok()?,
                Date::new(y.checked_add(1)?, 1, 1).ok()?,
            )
        }
        7 => {
            let (y, m) = (t[..4].parse().ok()?, t.get(5..7)?.parse().ok()?);
            if t.as_bytes()[4] != b'-' {
                return None;
            }
            let start = Date::new(y, m, 1).ok()?;
            span(start, start.checked_add(jiff::Span::new().months(1)).ok()?)
        }
        10 => {
            let d: Date = t.parse().ok()?;
            span(d, d.tomorrow().ok()?)
        }
        _ => date_time(t),
    }
}

fn span(start: Date, end: Date) -> Option<(i64, i64)> {
    let lo = start
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp()
        .as_microsecond();
    let hi = end
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp()
        .as_microsecond()
        - 1;
    Some((lo, hi))
}

/// `YYYY-MM-DDThh:mm[:ss[.f+]][Z|±hh:mm]`: the precision is that of the last component given.
fn date_time(t: &str) -> Option<(i64, i64)> {
    let (date, time) = t.split_once('T')?;
    if date.len() != 10 {
        return None;
    }
    let zone_at = time.find(['Z', '+', '-']);
    let (clock, zone) = match zone_at {
        Some(i) => (&time[..i], &time[i..]),
        None => (time, "Z"),
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((hms, f))
            if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (hms, Some(f))
        }
        Some(_) => return None,
        None => (clock, None),
    };
    let (full, precision_us): (String, i64) = match (hms.len(), frac) {
        (5, None) => (format!("{date}T{hms}:00{zone}"), 60_000_000),
        (8, None) => (format!("{date}T{hms}{zone}"), 1_000_000),
        (8, Some(f)) => {
            let digits = f.len().min(6) as u32;
            (format!("{date}T{hms}.{f}{zone}"), 10i64.pow(6 - digits))
        }
        _ => return None,
    };
    let ts: jiff::Timestamp = full.parse().ok()?;
    let lo = ts.as_microsecond();
    Some((lo, lo + precision_us - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(us: i64) -> String {
        jiff::Timestamp::from_microsecond(us).unwrap().to_string()
    }

    #[test]
    fn precision_sets_the_range() {
        let (lo, hi) = parse_range("2024").unwrap();
        assert_eq!(iso(lo), "2024-01-01T00:00:00Z");
        assert_eq!(iso(hi), "2024-12-31T23:59:59.999999Z");
        let (lo, hi) = parse_range("2024-02").unwrap();
        assert_eq!(
            (iso(lo).as_str(), iso(hi).as_str()),
            ("2024-02-01T00:00:00Z", "2024-02-29T23:59:59.999999Z")
        );
        let (lo, hi) = parse_range("2024-03-05T10:00:00+01:00").unwrap();
        assert_eq!(iso(lo), "2024-03-05T09:00:00Z");
        assert_eq!(hi - lo, 999_999);
        let (lo, hi) = parse_range("2024-03-05T10:00").unwrap();
        assert_eq!(hi - lo, 59_999_999);
        assert_eq!(iso(lo), "2024-03-05T10:00:00Z");
        let (lo, hi) = parse_range("2024-03-05T10:00:00.123Z").unwrap();
        assert_eq!(hi - lo, 999);
        assert_eq!(iso(lo), "2024-03-05T10:00:00.123Z");
    }

    #[test]
    fn rejects_non_dates() {
        for bad in [
            "",
            "20x4",
            "2024-13",
            "2024-02-30",
            "2024-03-05T25:00:00Z",
            "yesterday",
            "2024-03-05T10",
        ] {
            assert!(parse_range(bad).is_none(), "{bad}");
        }
    }
}
