//! Day optimisation for a theatre or a practitioner: order the day's cases to reduce idle time
//! (gaps between cases, from opening) and overrun (past closing), each case placed at the
//! earliest time its resources are all free (their hours and other bookings, with the case's
//! buffers). A small local search: from the current order, take the best improving swap or
//! move until none improves. Overrun weighs double: staying late costs more than a gap.

use super::{MINUTE, Span};
use std::collections::HashMap;

/// One case of the day; times µs.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub start: i64,
    pub duration: i64,
    pub buffer_before: i64,
    pub buffer_after: i64,
    /// Every non-patient actor and the patient: each must be free for the case.
    pub actors: Vec<String>,
}

/// A placed order with its cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPlan {
    /// `(case index, start)` in order.
    pub order: Vec<(usize, i64)>,
    pub idle: i64,
    pub overrun: i64,
}

impl DayPlan {
    pub fn cost(&self) -> i64 {
        self.idle + 2 * self.overrun
    }
}

const STEP: i64 = 5 * MINUTE;

fn is_free(free: &HashMap<String, Vec<Span>>, actor: &str, span: &Span) -> bool {
    free.get(actor)
        .is_some_and(|spans| spans.iter().any(|s| s.contains(span)))
}

/// Idle and overrun of cases held at `held` spans (sorted) within `day`.
fn measure(day: Span, held: &[Span]) -> (i64, i64) {
    let mut idle = 0;
    let mut t = day.start;
    for h in held {
        idle += (h.start - t).max(0);
        t = t.max(h.end);
    }
    (idle, (t - day.end).max(0))
}

/// The plan as the cases stand now.
pub fn current(cases: &[Case], day: Span) -> DayPlan {
    let mut idx: Vec<usize> = (0..cases.len()).collect();
    idx.sort_by_key(|i| cases[*i].start);
    let held: Vec<Span> = idx
        .iter()
        .map(|i| {
            let c = &cases[*i];
            Span::new(
                c.start - c.buffer_before,
                c.start + c.duration + c.buffer_after,
            )
        })
        .collect();
    let (idle, overrun) = measure(day, &held);
    DayPlan {
        order: idx.iter().map(|i| (*i, cases[*i].start)).collect(),
        idle,
        overrun,
    }
}

/// Place `order` back to back, each case at the earliest 5-minute step where all its actors
/// are free; `None` when a case fits nowhere before `limit`.
pub fn place(
    order: &[usize],
    cases: &[Case],
    day: Span,
    limit: i64,
    free: &HashMap<String, Vec<Span>>,
) -> Option<DayPlan> {
    let mut t = day.start;
    let mut out = Vec::new();
    let mut held = Vec::new();
    for &i in order {
        let c = &cases[i];
        let mut s = t + c.buffer_before;
        loop {
            let span = Span::new(s - c.buffer_before, s + c.duration + c.buffer_after);
            if span.end > limit {
                return None;
            }
            if c.actors.iter().all(|a| is_free(free, a, &span)) {
                held.push(span);
                t = span.end;
                out.push((i, s));
                break;
            }
            s += STEP;
        }
    }
    let (idle, overrun) = measure(day, &held);
    Some(DayPlan {
        order: out,
        idle,
        overrun,
    })
}

/// The best order found from the current one (never worse than the current plan placed).
pub fn optimise(
    cases: &[Case],
    day: Span,
    limit: i64,
    free: &HashMap<String, Vec<Span>>,
) -> Option<DayPlan> {
    let mut order: Vec<usize> = current(cases, day).order.iter().map(|(i, _)| *i).collect();
    let mut best = place(&order, cases, day, limit, free)?;
    for _ in 0..200 {
        let mut improved: Option<(Vec<usize>, DayPlan)> = None;
        let n = order.len();
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    continue;
                }
                for kind in 0..2 {
                    let mut o = order.clone();
                    if kind == 0 {
                        o.swap(i, j);
                    } else {
                        let x = o.remove(i);
                        o.insert(j, x);
                    }
                    if let Some(p) = place(&o, cases, day, limit, free) {
                        let bar = improved.as_ref().map_or(best.cost(), |(_, b)| b.cost());
                        if p.cost() < bar {
                            improved = Some((o, p));
                        }
                    }
                }
            }
        }
        match improved {
            Some((o, p)) => {
                order = o;
                best = p;
            }
            None => break,
        }
    }
    Some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_case_fills_the_gap_a_busy_surgeon_leaves() {
        let h = 60 * MINUTE;
        let day = Span::new(8 * h, 12 * h);
        let case = |id: &str, start: i64, dur: i64, actors: &[&str]| Case {
            id: id.into(),
            start,
            duration: dur,
            buffer_before: 0,
            buffer_after: 0,
            actors: actors.iter().map(|a| a.to_string()).collect(),
        };
        // Surgeon B is only free from 9:00; the long case with B comes first, so the theatre
        // waits an hour and the day overruns.
        let cases = vec![
            case("long-b", 9 * h, 2 * h, &["T", "B"]),
            case("short-a", 11 * h, h, &["T", "A"]),
            case("mid-a", 12 * h, h, &["T", "A"]),
        ];
        let mut free = HashMap::new();
        free.insert("T".to_string(), vec![Span::new(0, 24 * h)]);
        free.insert("A".to_string(), vec![Span::new(0, 24 * h)]);
        free.insert("B".to_string(), vec![Span::new(9 * h, 24 * h)]);
        let before = current(&cases, day);
        assert_eq!((before.idle, before.overrun), (h, h));
        let after = optimise(&cases, day, 20 * h, &free).unwrap();
        assert_eq!((after.idle, after.overrun), (0, 0), "{after:?}");
        assert_eq!(after.order[0].0, 1);
        assert_eq!(after.order.iter().find(|(i, _)| *i == 0).unwrap().1, 9 * h);
    }
}
