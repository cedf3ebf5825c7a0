//! The terminology half of vitals validation: the unit must be UCUM and convertible to the
//! kind's unit, and the value (converted) must be physically possible for its LOINC term.
//! Then each value gets its reference flag for the patient's age group.

use cartella_core::clinical::Problems;
use cartella_core::clinical::vitals::{Reading, VitalKind};
use cartella_terminology::loinc::{self, AgeGroup, Flag, ReferenceRange};
use cartella_terminology::{TermError, ucum};

/// A reading in its kind's unit, with its flag (`None` when no range ships for the group).
#[derive(Debug, Clone)]
pub struct Measured {
    pub kind: VitalKind,
    pub value: f64,
    pub flag: Option<Flag>,
    pub range: Option<ReferenceRange>,
}

/// Converts and checks `r`; problems go under the kind's field.
pub fn measure(p: &mut Problems, r: &Reading, group: AgeGroup) -> Option<Measured> {
    let field = r.kind.field();
    let want = r.kind.unit();
    if ucum::validate(&r.unit).is_err() {
        p.push(
            field,
            "unknown_unit",
            format!("`{}` is not a UCUM unit; use {want}.", r.unit),
        );
        return None;
    }
    let value = match ucum::convert(r.value, &r.unit, want) {
        Ok(v) => round(v),
        Err(_) => {
            p.push(
                field,
                "wrong_unit",
                format!("`{}` is not a unit of this measure; use {want}.", r.unit),
            );
            return None;
        }
    };
    assess(p, r.kind, value, group)
}

/// Plausibility and flag of a value already in the kind's unit (also for computed BMI).
pub fn assess(p: &mut Problems, kind: VitalKind, value: f64, group: AgeGroup) -> Option<Measured> {
    let term = loinc::get(kind.loinc())?;
    match term.assess(value, group) {
        Ok(flag) => Some(Measured {
            kind,
            value,
            flag,
            range: term.range_for(group).copied(),
        }),
        Err(TermError::Implausible { min, max, .. }) => {
            p.push(
                kind.field(),
                "implausible",
                format!(
                    "Not a possible value: expected {min} to {max} {}.",
                    kind.unit()
                ),
            );
            None
        }
        Err(e) => {
            p.push(kind.field(), "invalid", e.to_string());
            None
        }
    }
}

/// Two decimals are more than any vital-sign device resolves; conversions leave noise beyond.
fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The age group at the time of measurement; adults when the birth date is unknown.
pub fn age_group(birth: Option<jiff::civil::Date>, at: jiff::Timestamp) -> AgeGroup {
    birth
        .and_then(|b| cartella_core::clinical::time::age_days(b, at))
        .map_or(AgeGroup::Adult, AgeGroup::from_age_days)
}
