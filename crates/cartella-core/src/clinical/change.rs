//! Sharp-change alerts: a vital sign that moved more than a threshold from the previous value
//! of the same code within a window. The thresholds are conservative screening values, meant
//! to make a clinician look again, not diagnostic criteria:
//!
//! | kind | change | within |
//! |---|---|---|
//! | weight | ± 5 % | 7 days (rapid fluid gain/loss; heart-failure self-care advice uses 2 kg in 3 days) |
//! | systolic | ± 30 mm[Hg] | 30 days |
//! | diastolic | ± 20 mm[Hg] | 30 days |
//! | heart rate | ± 30 /min | 7 days |
//! | respiratory rate | ± 10 /min | 7 days |
//! | temperature | ± 1.5 Cel | 2 days |
//! | SpO2 | − 5 % (a fall only) | 7 days |
//! | pain | + 4 points (a rise only) | 7 days |
//!
//! Height and BMI have no rule: height changes slowly, and BMI follows weight.

use super::vitals::VitalKind;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Either,
    Rise,
    Fall,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// In the kind's unit.
    Absolute(f64),
    /// A fraction of the previous value (0.05 = 5 %).
    Relative(f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangeRule {
    pub threshold: Threshold,
    pub window: SignedDuration,
    pub direction: Direction,
}

const DAY: i64 = 24 * 3600;

pub fn rule(kind: VitalKind) -> Option<ChangeRule> {
    use Direction::*;
    use Threshold::*;
    let r = |threshold, days: i64, direction| ChangeRule {
        threshold,
        window: SignedDuration::from_secs(days * DAY),
        direction,
    };
    Some(match kind {
        VitalKind::Weight => r(Relative(0.05), 7, Either),
        VitalKind::Systolic => r(Absolute(30.0), 30, Either),
        VitalKind::Diastolic => r(Absolute(20.0), 30, Either),
        VitalKind::HeartRate => r(Absolute(30.0), 7, Either),
        VitalKind::RespiratoryRate => r(Absolute(10.0), 7, Either),
        VitalKind::Temperature => r(Absolute(1.5), 2, Either),
        VitalKind::Spo2 => r(Absolute(5.0), 7, Fall),
        VitalKind::Pain => r(Absolute(4.0), 7, Rise),
        VitalKind::Height | VitalKind::Bmi => return None,
    })
}

/// A change that crossed its threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharpChange {
    pub kind: VitalKind,
    pub previous: f64,
    pub previous_at: String,
    pub current: f64,
    /// `current - previous`, in the kind's unit.
    pub delta: f64,
    /// The threshold as text (`5 %`, `30 mm[Hg]`).
    pub threshold: String,
    pub window_days: i64,
}

/// Compares `current` with `previous` (both in the kind's unit). `previous` must be earlier and
/// within the rule's window; otherwise there is nothing to compare.
pub fn sharp_change(
    kind: VitalKind,
    previous: (Timestamp, f64),
    current: (Timestamp, f64),
) -> Option<SharpChange> {
    let rule = rule(kind)?;
    let (then, before) = previous;
    let (now, value) = current;
    if then >= now || now.duration_since(then) > rule.window {
        return None;
    }
    let delta = value - before;
    let moved = match rule.direction {
        Direction::Either => delta.abs(),
        Direction::Rise => delta,
        Direction::Fall => -delta,
    };
    let (limit, text) = match rule.threshold {
        Threshold::Absolute(a) => (a, format!("{a} {}", kind.unit())),
        Threshold::Relative(f) => (f * before.abs(), format!("{} %", f * 100.0)),
    };
    // Rounding in the record (one decimal) should not decide: compare with a small tolerance.
    (moved >= limit - 1e-9).then(|| SharpChange {
        kind,
        previous: before,
        previous_at: super::time::fhir(then),
        current: value,
        delta: (delta * 100.0).round() / 100.0,
        threshold: text,
        window_days: rule.window.as_secs() / DAY,
    })
}
