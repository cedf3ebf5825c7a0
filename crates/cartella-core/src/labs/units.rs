//! Conversions between the lab units of one dimension (mass and substance concentration,
//! counts per volume, enzyme activity, fractions, time), by a factor to the dimension's base.
//! Conversions across dimensions (mg/dL ↔ mmol/L) need a molar mass and are not made.

/// `(dimension, factor to the base unit)` of a UCUM lab unit.
fn scale(unit: &str) -> Option<(&'static str, f64)> {
    Some(match unit {
        "g/L" | "mg/mL" => ("mass-conc", 1.0),
        "g/dL" => ("mass-conc", 10.0),
        "mg/dL" => ("mass-conc", 1e-2),
        "mg/L" | "ug/mL" => ("mass-conc", 1e-3),
        "ug/dL" => ("mass-conc", 1e-5),
        "ug/L" | "ng/mL" => ("mass-conc", 1e-6),
        "ng/dL" => ("mass-conc", 1e-8),
        "ng/L" | "pg/mL" => ("mass-conc", 1e-9),
        "mol/L" => ("substance-conc", 1.0),
        "mmol/L" => ("substance-conc", 1e-3),
        "umol/L" => ("substance-conc", 1e-6),
        "nmol/L" => ("substance-conc", 1e-9),
        "pmol/L" => ("substance-conc", 1e-12),
        "10*3/uL" | "10*9/L" | "10*3/mm3" => ("count-conc", 1e9),
        "10*6/uL" | "10*12/L" | "10*6/mm3" => ("count-conc", 1e12),
        "/uL" | "/mm3" | "10*6/L" => ("count-conc", 1e6),
        "/L" => ("count-conc", 1.0),
        "U/L" | "[IU]/L" => ("activity-conc", 1.0),
        "kU/L" | "U/mL" | "k[IU]/L" => ("activity-conc", 1e3),
        "m[IU]/L" | "u[IU]/mL" | "mU/L" => ("activity-conc", 1e-3),
        "%" => ("fraction", 1e-2),
        "1" | "L/L" => ("fraction", 1.0),
        "s" => ("time", 1.0),
        "min" => ("time", 60.0),
        "fL" => ("volume", 1.0),
        "pg" => ("mass", 1.0),
        _ => return None,
    })
}

/// `value` in `from` expressed in `to`; `None` when the two are not units of one dimension.
pub fn convert(value: f64, from: &str, to: &str) -> Option<f64> {
    if from == to {
        return Some(value);
    }
    let (a, fa) = scale(from)?;
    let (b, fb) = scale(to)?;
    (a == b).then(|| value * fa / fb)
}

/// Rounds away the noise a factor conversion leaves (significant figures kept: 6).
pub fn tidy(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let digits = 6 - (v.abs().log10().floor() as i32) - 1;
    let m = 10f64.powi(digits.clamp(-12, 12));
    (v * m).round() / m
}
