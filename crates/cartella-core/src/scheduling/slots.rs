//! Optimal-slot search: candidate start times in a horizon where one free resource per
//! required role (plus any fixed participants) is open and unbooked, ranked by how well they
//! meet the patient's preferences (weekdays, time of day, practitioner), then by earliness.

use super::calendar::ResourceCalendar;
use super::conflicts::Existing;
use super::zone::to_local;
use super::{MINUTE, Span, subtract};
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct SlotQuery {
    pub duration: i64,
    pub buffer_before: i64,
    pub buffer_after: i64,
    pub roles: Vec<String>,
    /// Actors that must take part whatever their roles (the patient, a chosen practitioner).
    pub fixed: Vec<String>,
    pub horizon: Span,
    /// Candidate starts are multiples of `step` from local midnight.
    pub step: i64,
    pub tz: TimeZone,
    pub weekdays: Vec<Weekday>,
    pub time_of_day: Option<(Time, Time)>,
    /// Preferred actors (e.g. the usual therapist), tried first for their role.
    pub preferred: Vec<String>,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub start: i64,
    pub end: i64,
    pub resources: Vec<String>,
    /// 0 is a perfect match; one point per unmet preference.
    pub penalty: u32,
}

/// Free spans per actor over the horizon (open hours minus held bookings).
pub fn free_map(
    actors: &[&ResourceCalendar],
    bookings: &[Existing],
    horizon: Span,
) -> HashMap<String, Vec<Span>> {
    actors
        .iter()
        .map(|c| {
            let held: Vec<Span> = bookings
                .iter()
                .filter(|b| b.actor == c.actor)
                .map(|b| b.span)
                .collect();
            (
                c.actor.clone(),
                subtract(&c.open_spans(horizon.start, horizon.end), &held),
            )
        })
        .collect()
}

fn is_free(free: &HashMap<String, Vec<Span>>, actor: &str, span: &Span) -> bool {
    let Some(spans) = free.get(actor) else {
        return false;
    };
    let i = spans.partition_point(|s| s.end < span.end);
    spans.get(i).is_some_and(|s| s.contains(span))
}

/// Ranked candidates. `calendars` are every resource that may be chosen; fixed actors without
/// a calendar (patients) only need to be unbooked.
pub fn search(
    q: &SlotQuery,
    calendars: &[ResourceCalendar],
    bookings: &[Existing],
) -> Vec<Candidate> {
    if q.duration <= 0 || q.step <= 0 || q.horizon.is_empty() {
        return Vec::new();
    }
    let pad = q.buffer_before.max(q.buffer_after) + q.duration;
    let wide = Span::new(q.horizon.start - pad, q.horizon.end + pad);
    let refs: Vec<&ResourceCalendar> = calendars.iter().collect();
    let mut free = free_map(&refs, bookings, wide);
    for f in &q.fixed {
        if free.contains_key(f) {
            continue;
        }
        let held: Vec<Span> = bookings
            .iter()
            .filter(|b| &b.actor == f)
            .map(|b| b.span)
            .collect();
        free.insert(f.clone(), subtract(&[wide], &held));
    }
    // Per role: its resources, preferred first.
    let by_role: Vec<Vec<&str>> = q
        .roles
        .iter()
        .map(|r| {
            let mut v: Vec<&str> = calendars
                .iter()
                .filter(|c| c.roles.contains(r))
                .map(|c| c.actor.as_str())
                .collect();
            v.sort_by_key(|a| !q.preferred.iter().any(|p| p == a));
            v
        })
        .collect();
    let mut perfect = 0;
    let mut out = Vec::new();
    let day0 = super::zone::start_of_day(&q.tz, to_local(q.horizon.start, &q.tz).date());
    let mut t = day0 + ((q.horizon.start - day0).max(0) + q.step - 1) / q.step * q.step;
    while t + q.duration <= q.horizon.end && perfect < q.limit {
        let own = Span::new(t, t + q.duration);
        let held = Span::new(t - q.buffer_before, t + q.duration + q.buffer_after);
        let fixed_ok = q.fixed.iter().all(|f| {
            let span = if f.starts_with("Patient/") { own } else { held };
            is_free(&free, f, &span)
        });
        if fixed_ok && let Some(chosen) = pick(&by_role, &q.fixed, &free, &held) {
            let penalty = penalty(q, t, &chosen);
            perfect += usize::from(penalty == 0);
            let mut resources = q.fixed.clone();
            resources.extend(chosen);
            out.push(Candidate {
                start: t,
                end: t + q.duration,
                resources,
                penalty,
            });
        }
        t += q.step;
    }
    out.sort_by_key(|c| (c.penalty, c.start));
    out.truncate(q.limit);
    out
}

/// One free, distinct resource per role (fixed actors fill roles they hold first).
fn pick(
    by_role: &[Vec<&str>],
    fixed: &[String],
    free: &HashMap<String, Vec<Span>>,
    held: &Span,
) -> Option<Vec<String>> {
    let mut chosen: Vec<String> = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    for candidates in by_role {
        if let Some(f) = candidates
            .iter()
            .find(|a| fixed.iter().any(|f| f == *a) && !used.contains(*a))
        {
            used.push(f);
            continue;
        }
        let a = candidates.iter().find(|a| {
            !used.contains(*a) && !fixed.iter().any(|f| f == **a) && is_free(free, a, held)
        })?;
        used.push(a);
        chosen.push((*a).to_owned());
    }
    Some(chosen)
}

fn penalty(q: &SlotQuery, t: i64, chosen: &[String]) -> u32 {
    let local = to_local(t, &q.tz);
    let mut p = 0;
    if !q.weekdays.is_empty() && !q.weekdays.contains(&local.weekday()) {
        p += 1;
    }
    if let Some((from, to)) = q.time_of_day
        && !(from <= local.time() && local.time() < to)
    {
        p += 1;
    }
    let wants = q.preferred.iter().filter(|p| !q.fixed.contains(p)).count();
    if wants > 0 && !q.preferred.iter().any(|p| chosen.contains(p)) {
        p += 1;
    }
    p
}

/// A 15-minute grid, the default step.
pub const DEFAULT_STEP: i64 = 15 * MINUTE;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::calendar::parse_hours;
    use crate::scheduling::zone::{parse_time, time_zone};

    #[test]
    fn finds_slots_where_every_role_is_free_preferring_the_practitioner() {
        let tz = time_zone("Europe/Rome").unwrap();
        let at = |s: &str| parse_time(s, &tz).unwrap();
        let cal = |a: &str, role: &str| ResourceCalendar {
            actor: a.into(),
            roles: vec![role.into()],
            tz: tz.clone(),
            weekly: Some(parse_hours("mon-fri 09:00-11:00").unwrap()),
            exceptions: vec![],
        };
        let cals = vec![
            cal("Practitioner/a", "physio"),
            cal("Practitioner/b", "physio"),
            cal("Location/gym", "room"),
        ];
        let booked = vec![Existing {
            appointment_id: "x".into(),
            actor: "Location/gym".into(),
            span: Span::new(at("2026-05-04T09:00"), at("2026-05-04T10:00")),
        }];
        let q = SlotQuery {
            duration: 30 * MINUTE,
            buffer_before: 0,
            buffer_after: 0,
            roles: vec!["physio".into(), "room".into()],
            fixed: vec!["Patient/p".into()],
            horizon: Span::new(at("2026-05-04T00:00"), at("2026-05-06T00:00")),
            step: DEFAULT_STEP,
            tz: tz.clone(),
            weekdays: vec![Weekday::Tuesday],
            time_of_day: None,
            preferred: vec!["Practitioner/b".into()],
            limit: 3,
        };
        let got = search(&q, &cals, &booked);
        assert_eq!(got.len(), 3);
        // Tuesday is preferred; Monday before 10:00 the gym is taken.
        assert_eq!(got[0].start, at("2026-05-05T09:00"));
        assert_eq!(got[0].penalty, 0);
        assert_eq!(
            got[0].resources,
            vec!["Patient/p", "Practitioner/b", "Location/gym"]
        );
        assert!(got.iter().all(|c| c.start >= at("2026-05-04T10:00")));
    }
}
