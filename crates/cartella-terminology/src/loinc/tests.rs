//! Checks of the shipped LOINC data (codes, units, panels, ranges) and of range assessment.

use super::*;
use crate::ucum;

#[test]
fn every_shipped_code_is_well_formed_with_a_valid_unit() {
    assert!(all().len() >= 100, "{}", all().len());
    let mut seen = std::collections::HashSet::new();
    for t in all() {
        assert!(seen.insert(t.code), "duplicate {}", t.code);
        LoincCode::parse(t.code).unwrap_or_else(|e| panic!("{e}"));
        if let Some(unit) = t.unit {
            ucum::validate(unit).unwrap_or_else(|e| panic!("{}: {e}", t.code));
        }
        assert_eq!(
            t.kind == TermKind::Panel,
            !t.members.is_empty(),
            "{}",
            t.code
        );
        assert_eq!(
            t.member_terms().len(),
            t.members.len(),
            "{} has members not shipped",
            t.code
        );
        for lang in [Lang::En, Lang::It, Lang::Fr, Lang::De] {
            assert!(!t.display_in(lang).is_empty(), "{} {lang:?}", t.code);
        }
        for r in &t.ranges {
            let ordered = |a: Option<f64>, b: Option<f64>| a.zip(b).is_none_or(|(a, b)| a <= b);
            assert!(
                ordered(r.low, r.high) && ordered(r.critical_low, r.low),
                "{} {r:?}",
                t.code
            );
            assert!(
                ordered(r.high, r.critical_high) && ordered(r.critical_low, r.critical_high),
                "{} {r:?}",
                t.code
            );
            assert!(!r.source.is_empty());
        }
    }
}

#[test]
fn the_fhir_vital_signs_are_all_shipped() {
    // From ValueSet-observation-vitalsignresult of FHIR R4, plus pulse oximetry and pain.
    for code in [
        "85353-1", "9279-1", "8867-4", "2708-6", "8310-5", "8302-2", "9843-4", "29463-7",
        "39156-5", "85354-9", "8480-6", "8462-4", "8478-0", "59408-5", "72514-3",
    ] {
        assert!(get(code).is_some(), "{code}");
    }
    let bp = get("85354-9").unwrap();
    assert_eq!(bp.members, ["8480-6", "8462-4"]);
    assert_eq!(get("8480-6").unwrap().unit, Some("mm[Hg]"));
    assert_eq!(
        get("8867-4").unwrap().display_in(Lang::It),
        "Frequenza cardiaca"
    );
    assert_eq!(
        get(" 29463-7 ").unwrap().display_in(Lang::De),
        "Körpergewicht"
    );
    assert!(get("1234-5").is_none());
    // Every vital with a numeric unit has a range for every age group (weight/height excepted:
    // they depend on each other and on growth charts).
    for t in of_kind(TermKind::VitalSign) {
        if [
            "8480-6", "8462-4", "8867-4", "9279-1", "8310-5", "59408-5", "72514-3",
        ]
        .contains(&t.code)
        {
            for g in [
                AgeGroup::Newborn,
                AgeGroup::Infant,
                AgeGroup::Child,
                AgeGroup::Adolescent,
                AgeGroup::Adult,
                AgeGroup::Elderly,
            ] {
                assert!(t.range_for(g).is_some(), "{} {g:?}", t.code);
            }
        }
    }
}

#[test]
fn codes_are_checked_for_shape_and_check_digit() {
    assert_eq!(LoincCode::parse("8480-6").unwrap().as_str(), "8480-6");
    assert_eq!(LoincCode::parse(" 85354-9").unwrap().to_string(), "85354-9");
    assert_eq!(
        LoincCode::parse("8480-5"),
        Err(TermError::LoincCheckDigit("8480-5".into()))
    );
    for bad in ["", "8480", "8480-", "-6", "84a0-6", "8480-66", "12345678-9"] {
        assert_eq!(
            LoincCode::parse(bad),
            Err(TermError::LoincFormat(bad.into())),
            "{bad}"
        );
    }
}

#[test]
fn age_groups_follow_the_documented_cut_offs() {
    assert_eq!(AgeGroup::from_age_days(0), AgeGroup::Newborn);
    assert_eq!(AgeGroup::from_age_days(27), AgeGroup::Newborn);
    assert_eq!(AgeGroup::from_age_days(28), AgeGroup::Infant);
    assert_eq!(AgeGroup::from_age_days(365), AgeGroup::Infant);
    assert_eq!(AgeGroup::from_age_days(366), AgeGroup::Child);
    assert_eq!(AgeGroup::from_age_days(12 * 366), AgeGroup::Adolescent);
    assert_eq!(AgeGroup::from_age_days(18 * 366), AgeGroup::Adult);
    assert_eq!(AgeGroup::from_age_days(70 * 365), AgeGroup::Elderly);
}

#[test]
fn values_are_flagged_for_the_patients_age_group() {
    let hr = get("8867-4").unwrap();
    assert_eq!(hr.assess(150.0, AgeGroup::Infant), Ok(Some(Flag::Normal)));
    assert_eq!(
        hr.assess(150.0, AgeGroup::Adult),
        Ok(Some(Flag::CriticalHigh))
    );
    assert_eq!(hr.assess(110.0, AgeGroup::Adult), Ok(Some(Flag::High)));
    assert_eq!(
        hr.assess(40.0, AgeGroup::Elderly),
        Ok(Some(Flag::CriticalLow)),
        "elderly use the adult range"
    );
    let sbp = get("8480-6").unwrap();
    assert_eq!(
        sbp.assess(145.0, AgeGroup::Adult).unwrap().map(Flag::code),
        Some("H")
    );
    assert_eq!(
        sbp.assess(185.0, AgeGroup::Adult).unwrap().map(Flag::code),
        Some("HH")
    );
    assert_eq!(
        sbp.assess(95.0, AgeGroup::Adult).unwrap().map(Flag::code),
        Some("L")
    );
    assert_eq!(
        get("2823-3")
            .unwrap()
            .assess(6.5, AgeGroup::Adult)
            .unwrap()
            .map(Flag::is_critical),
        Some(true)
    );
    // No lab ranges ship for children: no flag rather than a wrong one.
    assert_eq!(
        get("2823-3").unwrap().assess(4.0, AgeGroup::Child),
        Ok(None)
    );
    assert!(
        get("2823-3")
            .unwrap()
            .range_for(AgeGroup::Adult)
            .unwrap()
            .source
            .contains("Merck")
    );
}

#[test]
fn impossible_values_are_refused() {
    let weight = get("29463-7").unwrap();
    assert_eq!(
        weight.assess(-3.0, AgeGroup::Adult),
        Err(TermError::Implausible {
            code: "29463-7".into(),
            value: -3.0,
            min: 0.2,
            max: 700.0
        })
    );
    assert_eq!(weight.assess(72.0, AgeGroup::Adult), Ok(None));
    assert!(
        get("8310-5")
            .unwrap()
            .assess(98.6, AgeGroup::Adult)
            .is_err(),
        "Fahrenheit in a Celsius field"
    );
    assert!(
        get("72514-3")
            .unwrap()
            .assess(11.0, AgeGroup::Adult)
            .is_err()
    );
}
