//! UCUM units: validation against the common UCUM units (the list of FHIR R4's
//! `ValueSet-ucum-common`, embedded as `data/ucum-common.tsv`), and the conversions vital signs
//! need (mass, length, temperature). Codes are case-sensitive, as UCUM requires (`mg` ≠ `Mg`).

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::TermError;

/// The FHIR code system URI of UCUM.
pub const SYSTEM: &str = "http://unitsofmeasure.org";

const COMMON_TSV: &str = include_str!("../data/ucum-common.tsv");

static COMMON: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    COMMON_TSV
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect()
});

/// The English name of a common UCUM unit (`mm[Hg]` → "millimeter of mercury"), or for a bare
/// annotation (`{score}`) the annotation text.
pub fn display(unit: &str) -> Option<&str> {
    if let Some(name) = COMMON.get(unit) {
        return Some(name);
    }
    // A bare annotation is the unit 1 with a label: valid UCUM for counts and scores.
    let inner = unit.strip_prefix('{')?.strip_suffix('}')?;
    let ok = !inner.is_empty()
        && inner
            .bytes()
            .all(|b| (b'!'..=b'~').contains(&b) && b != b'{' && b != b'}');
    ok.then_some(inner)
}

/// Accepts a common UCUM unit or a bare annotation; the error names the refused unit.
pub fn validate(unit: &str) -> Result<(), TermError> {
    match display(unit) {
        Some(_) => Ok(()),
        None => Err(TermError::UnknownUnit(unit.to_owned())),
    }
}

/// The number of common units shipped.
pub fn common_count() -> usize {
    COMMON.len()
}

/// A convertible unit: its dimension and how to reach the dimension's base unit
/// (`base = value * factor + offset`).
struct Linear {
    dimension: &'static str,
    factor: f64,
    offset: f64,
}

/// Units of the vital signs (and their customary US/UK forms), to base kg, m and Cel.
fn linear(unit: &str) -> Option<Linear> {
    let (dimension, factor, offset) = match unit {
        "kg" => ("mass", 1.0, 0.0),
        "g" => ("mass", 1e-3, 0.0),
        "[lb_av]" => ("mass", 0.453_592_37, 0.0),
        "[oz_av]" => ("mass", 0.028_349_523_125, 0.0),
        "m" => ("length", 1.0, 0.0),
        "cm" => ("length", 0.01, 0.0),
        "mm" => ("length", 0.001, 0.0),
        "[in_i]" => ("length", 0.0254, 0.0),
        "[ft_i]" => ("length", 0.3048, 0.0),
        "Cel" => ("temperature", 1.0, 0.0),
        "K" => ("temperature", 1.0, -273.15),
        "[degF]" => ("temperature", 5.0 / 9.0, -32.0 * 5.0 / 9.0),
        _ => return None,
    };
    Some(Linear {
        dimension,
        factor,
        offset,
    })
}

/// Converts `value` from one unit to another (`kg`↔`[lb_av]`, `cm`↔`[in_i]`, `Cel`↔`[degF]`, …).
pub fn convert(value: f64, from: &str, to: &str) -> Result<f64, TermError> {
    let no = || TermError::NoConversion {
        from: from.to_owned(),
        to: to.to_owned(),
    };
    if from == to {
        validate(from)?;
        return Ok(value);
    }
    let (a, b) = (linear(from).ok_or_else(no)?, linear(to).ok_or_else(no)?);
    if a.dimension != b.dimension {
        return Err(no());
    }
    let base = value * a.factor + a.offset;
    Ok((base - b.offset) / b.factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_units_and_annotations_case_sensitively() {
        assert!(common_count() > 1_300, "{}", common_count());
        for unit in [
            "kg", "mm[Hg]", "/min", "Cel", "[degF]", "%", "kg/m2", "10*3/uL", "m[IU]/L", "{INR}",
            "{score}",
        ] {
            assert_eq!(validate(unit), Ok(()), "{unit}");
        }
        assert_eq!(display("mm[Hg]"), Some("millimeter of mercury"));
        for bad in ["KG", "mmHg", "bpm", "", "{}", "{a b}", "°C"] {
            assert_eq!(
                validate(bad),
                Err(TermError::UnknownUnit(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn converts_vital_sign_units() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(convert(100.0, "[lb_av]", "kg").unwrap(), 45.359_237));
        assert!(close(
            convert(1.0, "kg", "[lb_av]").unwrap(),
            2.204_622_621_848_776
        ));
        assert!(close(convert(70.0, "[in_i]", "cm").unwrap(), 177.8));
        assert!(close(convert(98.6, "[degF]", "Cel").unwrap(), 37.0));
        assert!(close(convert(-40.0, "Cel", "[degF]").unwrap(), -40.0));
        assert!(close(convert(310.15, "K", "Cel").unwrap(), 37.0));
        assert!(close(convert(1500.0, "g", "kg").unwrap(), 1.5));
        assert_eq!(convert(3.0, "kg", "kg"), Ok(3.0));
    }

    #[test]
    fn refuses_conversions_across_dimensions_or_unknown_units() {
        let err = |f: &str, t: &str| TermError::NoConversion {
            from: f.into(),
            to: t.into(),
        };
        assert_eq!(convert(1.0, "kg", "cm"), Err(err("kg", "cm")));
        assert_eq!(convert(1.0, "mg/dL", "mmol/L"), Err(err("mg/dL", "mmol/L")));
        assert_eq!(
            convert(1.0, "stone", "stone"),
            Err(TermError::UnknownUnit("stone".into()))
        );
    }
}
