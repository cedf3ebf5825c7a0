//! The availability of one resource: weekly opening/working hours in its time zone and
//! exceptions (holidays, leave, maintenance). Boundaries are computed per local date, so
//! "08:00-13:00" stays 08:00-13:00 local on both sides of a DST change.
//!
//! Hours are written as rules like `mon-fri 08:00-13:00,14:00-18:00` or `sat 09:00-12:00`
//! (the form stored on a FHIR Schedule, see the server's scheduling module).

use super::zone::{local_to_instant_lenient, to_local};
use super::{Span, subtract};
use crate::DomainError;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;

/// Open from `from` to `to` (local) on `weekday`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyRule {
    pub weekday: Weekday,
    pub from: Time,
    pub to: Time,
}

/// A time the resource is not available whatever its hours say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub span: Span,
    /// `holiday`, `leave`, `maintenance`, … (shown in conflicts; no patient data).
    pub reason: String,
}

/// One bookable resource with its roles and availability.
#[derive(Debug, Clone)]
pub struct ResourceCalendar {
    /// `Practitioner/abc`, `Location/theatre-1`, `Device/x`.
    pub actor: String,
    /// Roles it can fill: `surgeon`, `anaesthetist`, `nurse`, `theatre`, `room`, `device` …
    pub roles: Vec<String>,
    pub tz: TimeZone,
    /// `None`: no opening hours recorded, always open.
    pub weekly: Option<Vec<WeeklyRule>>,
    pub exceptions: Vec<Exception>,
}

/// Why a span is not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    OutsideHours,
    Exception(Exception),
}

impl ResourceCalendar {
    /// The open spans within `[from, to)`, sorted.
    pub fn open_spans(&self, from: i64, to: i64) -> Vec<Span> {
        let base = match &self.weekly {
            None => vec![Span::new(from, to)],
            Some(rules) => {
                let mut out = Vec::new();
                let mut date = to_local(from, &self.tz)
                    .date()
                    .yesterday()
                    .unwrap_or_default();
                let last = to_local(to, &self.tz).date();
                while date <= last {
                    for r in rules.iter().filter(|r| r.weekday == date.weekday()) {
                        let s = local_to_instant_lenient(&self.tz, date.to_datetime(r.from));
                        let e = local_to_instant_lenient(&self.tz, date.to_datetime(r.to));
                        let (s, e) = (s.max(from), e.min(to));
                        if s < e {
                            out.push(Span::new(s, e));
                        }
                    }
                    match date.tomorrow() {
                        Ok(d) => date = d,
                        Err(_) => break,
                    }
                }
                out.sort();
                out
            }
        };
        let holes: Vec<Span> = self.exceptions.iter().map(|e| e.span).collect();
        subtract(&base, &holes)
    }

    /// Every reason `span` is not fully open (empty when it is).
    pub fn closed(&self, span: &Span) -> Vec<Closed> {
        let mut out: Vec<Closed> = self
            .exceptions
            .iter()
            .filter(|e| e.span.overlaps(span))
            .map(|e| Closed::Exception(e.clone()))
            .collect();
        if self.weekly.is_some() {
            let mut hours = self.clone();
            hours.exceptions.clear();
            if !hours
                .open_spans(span.start, span.end)
                .iter()
                .any(|o| o.contains(span))
            {
                out.insert(0, Closed::OutsideHours);
            }
        }
        out
    }
}

/// Parse rules like `mon-fri 08:00-13:00,14:00-18:00`; `sun` alone or days with no times are
/// refused (omit a day to close it).
pub fn parse_hours(rule: &str) -> Result<Vec<WeeklyRule>, DomainError> {
    let bad = |why: &str| DomainError::Invalid(format!("opening hours '{rule}': {why}"));
    let (days, times) = rule
        .trim()
        .split_once(' ')
        .ok_or_else(|| bad("expected 'mon-fri 08:00-13:00'"))?;
    let day = |s: &str| -> Result<i8, DomainError> {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .position(|d| *d == s.trim().to_ascii_lowercase())
            .map(|i| i as i8 + 1)
            .ok_or_else(|| bad(&format!("unknown day '{s}'")))
    };
    let (first, last) = match days.split_once('-') {
        Some((a, b)) => (day(a)?, day(b)?),
        None => (day(days)?, day(days)?),
    };
    if last < first {
        return Err(bad("day range runs backwards"));
    }
    let mut out = Vec::new();
    for span in times.split(',') {
        let (a, b) = span
            .trim()
            .split_once('-')
            .ok_or_else(|| bad("expected HH:MM-HH:MM"))?;
        let t = |s: &str| -> Result<Time, DomainError> {
            s.trim()
                .parse::<Time>()
                .map_err(|_| bad(&format!("'{s}' is not a time")))
        };
        let (from, to) = (t(a)?, t(b)?);
        if to <= from {
            return Err(bad("closing time must be after opening time"));
        }
        for d in first..=last {
            let weekday = Weekday::from_monday_one_offset(d).map_err(|_| bad("day"))?;
            out.push(WeeklyRule { weekday, from, to });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::zone::{parse_time, time_zone};

    fn cal() -> ResourceCalendar {
        let tz = time_zone("Europe/Rome").unwrap();
        let holiday = Span::new(
            parse_time("2026-04-06T00:00", &tz).unwrap(),
            parse_time("2026-04-07T00:00", &tz).unwrap(),
        );
        ResourceCalendar {
            actor: "Practitioner/d".into(),
            roles: vec!["physio".into()],
            weekly: Some(parse_hours("mon-fri 08:00-13:00,14:00-18:00").unwrap()),
            exceptions: vec![Exception {
                span: holiday,
                reason: "holiday".into(),
            }],
            tz,
        }
    }

    #[test]
    fn hours_follow_local_time_across_dst_and_skip_exceptions() {
        let c = cal();
        let tz = c.tz.clone();
        let at = |s: &str| parse_time(s, &tz).unwrap();
        // Friday before and Monday after the spring change: still 08:00 local.
        let open = c.open_spans(at("2026-03-27T00:00"), at("2026-03-31T00:00"));
        assert_eq!(open.len(), 4);
        assert_eq!(open[0].start, at("2026-03-27T08:00"));
        assert_eq!(open[2].start, at("2026-03-30T08:00"));
        // Easter Monday is a holiday.
        assert!(
            c.open_spans(at("2026-04-06T00:00"), at("2026-04-07T00:00"))
                .is_empty()
        );
        let s = Span::new(at("2026-04-06T09:00"), at("2026-04-06T09:30"));
        assert!(matches!(&c.closed(&s)[..], [Closed::Exception(e)] if e.reason == "holiday"));
        let evening = Span::new(at("2026-04-07T18:30"), at("2026-04-07T19:00"));
        assert_eq!(c.closed(&evening), vec![Closed::OutsideHours]);
        let ok = Span::new(at("2026-04-07T09:00"), at("2026-04-07T09:30"));
        assert!(c.closed(&ok).is_empty());
    }

    #[test]
    fn bad_rules_are_refused() {
        assert!(parse_hours("mon-fri").is_err());
        assert!(parse_hours("fri-mon 08:00-09:00").is_err());
        assert!(parse_hours("mon 10:00-09:00").is_err());
        assert!(parse_hours("xyz 08:00-09:00").is_err());
    }
}
