//! Times of care: an instant given by the client (RFC 3339 with offset, or a plain date), never
//! in the future beyond a small clock skew, and the patient's age at that time.

use super::Problems;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, tz::TimeZone};

/// Clocks of tablets and devices drift: this much "future" is accepted.
pub const CLOCK_SKEW: SignedDuration = SignedDuration::from_secs(5 * 60);
/// Care recorded before this year is a typing mistake.
const EARLIEST_YEAR: i16 = 1900;

/// Reads `raw` (`2026-03-01T10:30:00+01:00` or `2026-03-01`, taken as midnight UTC); `None`
/// gives `now`. Problems are reported under `field`.
pub fn when(p: &mut Problems, field: &str, raw: Option<&str>, now: Timestamp) -> Timestamp {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return now;
    };
    let parsed = raw.parse::<Timestamp>().ok().or_else(|| {
        raw.parse::<Date>()
            .ok()
            .and_then(|d| d.to_zoned_datetime(TimeZone::UTC).ok())
            .map(|z| z.timestamp())
    });
    let Some(t) = parsed else {
        p.push(
            field,
            "invalid_date",
            "Enter a date-time with its offset (2026-03-01T10:30:00+01:00) or a date (2026-03-01).",
        );
        return now;
    };
    if t > now + CLOCK_SKEW {
        p.push(field, "future_date", "The time cannot be in the future.");
        return now;
    }
    if t.to_zoned_datetime(TimeZone::UTC).year() < EARLIEST_YEAR {
        p.push(field, "invalid_date", "The date is too far in the past.");
        return now;
    }
    t
}

/// A plain date (`YYYY-MM-DD`), not in the future.
pub fn past_date(p: &mut Problems, field: &str, raw: Option<&str>, now: Timestamp) -> Option<Date> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    let Ok(d) = raw.parse::<Date>() else {
        p.push(field, "invalid_date", "Enter a date as YYYY-MM-DD.");
        return None;
    };
    if d > now.to_zoned_datetime(TimeZone::UTC).date() {
        p.push(field, "future_date", "The date cannot be in the future.");
        return None;
    }
    if d.year() < EARLIEST_YEAR {
        p.push(field, "invalid_date", "The date is too far in the past.");
        return None;
    }
    Some(d)
}

/// Age in whole days at `at` (0 on the day of birth); `None` when born after `at`.
pub fn age_days(birth: Date, at: Timestamp) -> Option<u32> {
    let day = at.to_zoned_datetime(TimeZone::UTC).date();
    let days = birth.until(day).ok()?.get_days();
    u32::try_from(days).ok()
}

/// FHIR `dateTime` rendering of an instant, second precision, UTC.
pub fn fhir(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
