//! Partial dates of a history (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`): what a patient remembers.

use crate::clinical::Problems;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// A checked partial date, kept in its FHIR `date` form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialDate(pub String);

impl PartialDate {
    /// Whether `self` is certainly after `other` at the precision both share (`1985` is not
    /// after `1985-06`).
    pub fn after(&self, other: &PartialDate) -> bool {
        let n = self.0.len().min(other.0.len());
        self.0[..n] > other.0[..n]
    }
}

const EARLIEST_YEAR: i16 = 1900;

/// Reads `raw` as a partial date not in the future; problems go under `field`.
pub fn partial_date(
    p: &mut Problems,
    field: &str,
    raw: Option<&str>,
    now: Timestamp,
) -> Option<PartialDate> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    let today = now.to_zoned_datetime(TimeZone::UTC).date();
    // The earliest day the partial date can mean: what must not lie in the future.
    let first: Option<Date> = match raw.len() {
        4 => raw
            .parse::<i16>()
            .ok()
            .and_then(|y| Date::new(y, 1, 1).ok()),
        7 => {
            let (y, m) = (raw[..4].parse::<i16>().ok(), raw[5..].parse::<i8>().ok());
            match (y, m, &raw[4..5]) {
                (Some(y), Some(m), "-") => Date::new(y, m, 1).ok(),
                _ => None,
            }
        }
        10 => raw.parse::<Date>().ok(),
        _ => None,
    };
    let Some(first) = first.filter(|_| raw.bytes().all(|b| b.is_ascii_digit() || b == b'-')) else {
        p.push(
            field,
            "invalid_date",
            "Enter a year (1985), a month (1985-03) or a date (1985-03-21).",
        );
        return None;
    };
    if first > today {
        p.push(field, "future_date", "The date cannot be in the future.");
        return None;
    }
    if first.year() < EARLIEST_YEAR {
        p.push(field, "invalid_date", "The date is too far in the past.");
        return None;
    }
    Some(PartialDate(raw.to_owned()))
}
