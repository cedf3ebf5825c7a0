//! Local wall-clock time in a practice time zone ↔ instants, DST-correct. A local time that
//! does not exist (spring-forward gap) or exists twice (autumn fold) is an error for input, so
//! nothing is booked at a time the clinic did not mean.

use crate::DomainError;
use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};

/// The time zone named `name` (IANA, e.g. `Europe/Rome`) from the bundled database.
pub fn time_zone(name: &str) -> Result<TimeZone, DomainError> {
    TimeZone::get(name).map_err(|_| DomainError::Invalid(format!("unknown time zone '{name}'")))
}

/// The instant (µs) of local `dt` in `tz`; refuses times in a gap or a fold.
pub fn local_to_instant(tz: &TimeZone, dt: DateTime) -> Result<i64, DomainError> {
    let name = tz.iana_name().unwrap_or("the practice time zone");
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset
            .to_timestamp(dt)
            .map(|t| t.as_microsecond())
            .map_err(|e| DomainError::Invalid(format!("{dt} is out of range: {e}"))),
        AmbiguousOffset::Gap { .. } => Err(DomainError::Invalid(format!(
            "{dt} does not exist in {name}: the clocks jump forward over it (daylight saving time)"
        ))),
        AmbiguousOffset::Fold { .. } => Err(DomainError::Invalid(format!(
            "{dt} happens twice in {name} (clocks go back); give the time with its UTC offset"
        ))),
    }
}

/// The instant (µs) of local `dt`, for boundaries computed by the system (opening hours):
/// a time in a gap moves forward by the gap, one in a fold takes its first occurrence.
pub fn local_to_instant_lenient(tz: &TimeZone, dt: DateTime) -> i64 {
    tz.to_ambiguous_timestamp(dt)
        .compatible()
        .map(|t| t.as_microsecond())
        .unwrap_or(i64::MAX)
}

/// Parse API input: an RFC 3339 instant with offset (`2026-03-30T09:00:00+02:00`, `…Z`) is
/// taken as is; a local date-time without offset (`2026-03-30T09:00`) is read in `tz`.
pub fn parse_time(raw: &str, tz: &TimeZone) -> Result<i64, DomainError> {
    if let Ok(t) = raw.parse::<jiff::Timestamp>() {
        return Ok(t.as_microsecond());
    }
    let dt: DateTime = raw.parse().map_err(|_| {
        DomainError::Invalid(format!(
            "'{}' is not a date-time (use 2026-03-30T09:00 or 2026-03-30T09:00:00+02:00)",
            raw.chars().take(40).collect::<String>()
        ))
    })?;
    local_to_instant(tz, dt)
}

/// Parse a calendar date `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<Date, DomainError> {
    raw.parse().map_err(|_| {
        DomainError::Invalid(format!(
            "'{}' is not a date (use YYYY-MM-DD)",
            raw.chars().take(40).collect::<String>()
        ))
    })
}

/// The local date-time of instant `us` in `tz`.
pub fn to_local(us: i64, tz: &TimeZone) -> DateTime {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.to_zoned_datetime(tz.clone()).datetime())
        .unwrap_or_default()
}

/// RFC 3339 with the local offset, e.g. `2026-03-30T09:00:00+02:00`.
pub fn format_local(us: i64, tz: &TimeZone) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| {
            t.to_zoned_datetime(tz.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_default()
}

/// Midnight (µs) starting local `date` in `tz` (lenient: a zone whose day starts in a gap).
pub fn start_of_day(tz: &TimeZone, date: Date) -> i64 {
    local_to_instant_lenient(tz, date.to_datetime(jiff::civil::Time::midnight()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dst_gap_and_fold_are_refused_with_a_precise_message() {
        let rome = time_zone("Europe/Rome").unwrap();
        let err = parse_time("2026-03-29T02:30", &rome)
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not exist in Europe/Rome"), "{err}");
        let err = parse_time("2026-10-25T02:30", &rome)
            .unwrap_err()
            .to_string();
        assert!(err.contains("happens twice"), "{err}");
        assert!(parse_time("2026-10-25T02:30:00+01:00", &rome).is_ok());
    }

    #[test]
    fn nine_oclock_stays_nine_oclock_across_dst() {
        let rome = time_zone("Europe/Rome").unwrap();
        let before = parse_time("2026-03-28T09:00", &rome).unwrap();
        let after = parse_time("2026-03-30T09:00", &rome).unwrap();
        // Two calendar days apart but one hour less in between: the clocks moved.
        assert_eq!(after - before, (48 - 1) * 3_600_000_000);
        assert_eq!(format_local(after, &rome), "2026-03-30T09:00:00+02:00");
        let autumn = parse_time("2026-10-26T09:00", &rome).unwrap();
        assert_eq!(format_local(autumn, &rome), "2026-10-26T09:00:00+01:00");
    }
}
