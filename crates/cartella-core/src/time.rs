//! Timestamps as microseconds since the Unix epoch, rendered as FHIR `instant`s.

use std::fmt;

/// A point in time with microsecond precision, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn now() -> Self {
        Timestamp(jiff::Timestamp::now().as_microsecond())
    }
    pub fn from_micros(us: i64) -> Self {
        Timestamp(us)
    }
    pub fn micros(&self) -> i64 {
        self.0
    }
    /// Parse an RFC 3339 instant (`2024-01-02T03:04:05.123Z`).
    pub fn parse(raw: &str) -> Option<Self> {
        raw.parse::<jiff::Timestamp>()
            .ok()
            .map(|t| Timestamp(t.as_microsecond()))
    }
}

impl fmt::Display for Timestamp {
    /// FHIR instant with millisecond precision, e.g. `2026-11-23T12:00:00.123Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match jiff::Timestamp::from_microsecond(self.0) {
            Ok(t) => write!(f, "{}", t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")),
            Err(_) => f.write_str("invalid-timestamp"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let t = Timestamp::parse("2024-02-29T10:11:12.345Z").unwrap();
        assert_eq!(t.to_string(), "2024-02-29T10:11:12.345Z");
        assert!(Timestamp::parse("yesterday").is_none());
    }
}
