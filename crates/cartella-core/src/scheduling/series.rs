//! Therapy series: place N sessions on preferred weekdays at a preferred local time, keeping the
//! same therapist when possible. Each session is tried at its exact target time (the therapist
//! of the first placed session first, then anyone with the role); a target that cannot be held
//! is reported with the nearest free alternatives, so the secretary decides instead of the
//! system silently moving a patient's session.

use super::conflicts::Existing;
use super::slots::{Candidate, SlotQuery, search};
use super::zone::{local_to_instant, start_of_day, to_local};
use super::{MINUTE, Span};
use crate::DomainError;
use jiff::civil::{Date, Time, Weekday};

/// The longest series accepted (a year of daily sessions would be a typo).
pub const MAX_SESSIONS: usize = 100;

/// A series request; durations and buffers in µs, like [`SlotQuery`].
#[derive(Debug, Clone)]
pub struct SeriesRequest {
    pub count: usize,
    /// Weekdays to use, in order within a week (e.g. Monday and Thursday).
    pub weekdays: Vec<Weekday>,
    pub time: Time,
    pub first_date: Date,
    /// Alternatives are searched within this many days either side of the target.
    pub window_days: i64,
    pub alternatives: usize,
    /// Base query: duration, buffers, roles, fixed actors (patient), preferred (therapist), tz.
    pub base: SlotQuery,
}

/// One session: placed (`placed` set) or not (`alternatives` offered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub index: usize,
    /// The intended start (local preferred time on the target date).
    pub target: i64,
    pub placed: Option<Candidate>,
    pub alternatives: Vec<Candidate>,
}

/// The target dates: the first `count` dates on or after `first` whose weekday is listed.
pub fn target_dates(first: Date, weekdays: &[Weekday], count: usize) -> Vec<Date> {
    let mut out = Vec::with_capacity(count);
    let mut d = first;
    // Bounded: at worst a week per session.
    for _ in 0..(count * 7 + 7) {
        if out.len() == count {
            break;
        }
        if weekdays.contains(&d.weekday()) {
            out.push(d);
        }
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out
}

/// Plan the series against existing bookings. Placed sessions are held for the later ones
/// (the patient and the therapist cannot be in two sessions at once).
pub fn plan(
    req: &SeriesRequest,
    calendars: &[super::calendar::ResourceCalendar],
    bookings: &[Existing],
) -> Result<Vec<Session>, DomainError> {
    if req.count == 0 || req.count > MAX_SESSIONS {
        return Err(DomainError::Invalid(format!(
            "count must be between 1 and {MAX_SESSIONS}"
        )));
    }
    if req.weekdays.is_empty() {
        return Err(DomainError::Invalid("give at least one weekday".into()));
    }
    let tz = &req.base.tz;
    let mut held: Vec<Existing> = bookings.to_vec();
    let mut preferred = req.base.preferred.clone();
    let mut out = Vec::new();
    for (index, date) in target_dates(req.first_date, &req.weekdays, req.count)
        .into_iter()
        .enumerate()
    {
        let target = local_to_instant(tz, date.to_datetime(req.time))?;
        // Exactly at the target: a 1-minute grid over a horizon one session long.
        let exact = SlotQuery {
            horizon: Span::new(target, target + req.base.duration),
            step: MINUTE,
            preferred: preferred.clone(),
            limit: 1,
            ..req.base.clone()
        };
        let placed = search(&exact, calendars, &held).into_iter().next();
        let alternatives = match &placed {
            Some(_) => Vec::new(),
            None => nearest(req, &preferred, date, calendars, &held),
        };
        if let Some(c) = &placed {
            // Keep the therapist of the first placed session for the rest of the series.
            if preferred.is_empty() {
                preferred = c
                    .resources
                    .iter()
                    .filter(|r| !req.base.fixed.contains(r))
                    .cloned()
                    .collect();
            }
            for r in &c.resources {
                let span = if r.starts_with("Patient/") {
                    Span::new(c.start, c.end)
                } else {
                    Span::new(
                        c.start - req.base.buffer_before,
                        c.end + req.base.buffer_after,
                    )
                };
                held.push(Existing {
                    appointment_id: format!("series-{index}"),
                    actor: r.clone(),
                    span,
                });
            }
        }
        out.push(Session {
            index,
            target,
            placed,
            alternatives,
        });
    }
    Ok(out)
}

/// The free slots nearest to the target (date, preferred time) within the window.
fn nearest(
    req: &SeriesRequest,
    preferred: &[String],
    date: Date,
    calendars: &[super::calendar::ResourceCalendar],
    held: &[Existing],
) -> Vec<Candidate> {
    let tz = &req.base.tz;
    let day = |d: Date, n: i64| d.checked_add(jiff::Span::new().days(n)).unwrap_or(d);
    let q = SlotQuery {
        horizon: Span::new(
            start_of_day(tz, day(date, -req.window_days)),
            start_of_day(tz, day(date, req.window_days + 1)),
        ),
        preferred: preferred.to_vec(),
        // Everything in the window, ranked here by distance instead of preference.
        limit: usize::MAX,
        weekdays: Vec::new(),
        time_of_day: None,
        ..req.base.clone()
    };
    let mut all = search(&q, calendars, held);
    // Same time on a nearby day reads better than an odd hour on the same day: rank by day
    // distance, then by distance from the preferred time of day.
    let clock = |us: i64| {
        let l = to_local(us, tz);
        let days = (l.date() - date).get_days().abs();
        let minutes = i64::from(l.time().hour()) * 60 + i64::from(l.time().minute());
        let want = i64::from(req.time.hour()) * 60 + i64::from(req.time.minute());
        (days, (minutes - want).abs())
    };
    all.sort_by_key(|c| (c.penalty, clock(c.start), c.start));
    all.truncate(req.alternatives);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::calendar::{Exception, ResourceCalendar, parse_hours};
    use crate::scheduling::slots::DEFAULT_STEP;
    use crate::scheduling::zone::{parse_date, parse_time, time_zone};

    #[test]
    fn series_around_a_holiday_keeps_the_therapist_and_proposes_alternatives() {
        let tz = time_zone("Europe/Rome").unwrap();
        let at = |s: &str| parse_time(s, &tz).unwrap();
        let cal = |a: &str, away: Vec<Exception>| ResourceCalendar {
            actor: a.into(),
            roles: vec!["physio".into()],
            tz: tz.clone(),
            weekly: Some(parse_hours("mon-fri 08:00-12:00").unwrap()),
            exceptions: away,
        };
        // The whole practice closes on Easter Monday 2026 (6 April).
        let holiday = || {
            vec![Exception {
                span: Span::new(at("2026-04-06T00:00"), at("2026-04-07T00:00")),
                reason: "holiday".into(),
            }]
        };
        let cals = vec![
            cal("Practitioner/a", holiday()),
            cal("Practitioner/b", holiday()),
        ];
        let req = SeriesRequest {
            count: 4,
            weekdays: vec![Weekday::Monday, Weekday::Thursday],
            time: Time::constant(9, 0, 0, 0),
            first_date: parse_date("2026-03-30").unwrap(),
            window_days: 3,
            alternatives: 3,
            base: SlotQuery {
                duration: 30 * MINUTE,
                buffer_before: 0,
                buffer_after: 0,
                roles: vec!["physio".into()],
                fixed: vec!["Patient/p".into()],
                horizon: Span::default(),
                step: DEFAULT_STEP,
                tz: tz.clone(),
                weekdays: vec![],
                time_of_day: None,
                preferred: vec!["Practitioner/b".into()],
                limit: 1,
            },
        };
        let got = plan(&req, &cals, &[]).unwrap();
        let starts: Vec<Option<i64>> = got
            .iter()
            .map(|s| s.placed.as_ref().map(|c| c.start))
            .collect();
        assert_eq!(
            starts,
            vec![
                Some(at("2026-03-30T09:00")),
                Some(at("2026-04-02T09:00")),
                None,
                Some(at("2026-04-09T09:00")),
            ]
        );
        assert!(
            got.iter()
                .filter_map(|s| s.placed.as_ref())
                .all(|c| c.resources == vec!["Patient/p", "Practitioner/b"])
        );
        let alts = &got[2].alternatives;
        assert_eq!(alts.len(), 3);
        // Nearest to Monday 09:00: Tuesday 09:00, then 08:45 and 09:15 (Friday's are further).
        assert_eq!(alts[0].start, at("2026-04-07T09:00"));
        assert!(alts.iter().all(|c| c.start >= at("2026-04-07T00:00")));
    }
}
