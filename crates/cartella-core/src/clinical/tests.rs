//! Unit tests of the clinical rules: field errors for impossible vitals, BMI, sharp changes,
//! notes, amendment reasons and the other forms.

use super::change::sharp_change;
use super::inputs::*;
use super::notes::{SoapInput, amendment_reason};
use super::vitals::{VitalKind, VitalsInput, bmi};
use super::{Problems, time};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

fn now() -> Timestamp {
    "2026-03-10T12:00:00Z".parse().unwrap()
}

fn vitals(v: serde_json::Value) -> VitalsInput {
    serde_json::from_value(v).unwrap()
}

fn codes(p: &Problems) -> Vec<(String, &'static str)> {
    let mut v: Vec<_> = p.0.iter().map(|e| (e.field.clone(), e.code)).collect();
    v.sort();
    v
}

#[test]
fn impossible_vitals_get_one_precise_error_each() {
    let input = vitals(json!({
        "effective": "2027-01-01T00:00:00Z",
        "weight": -3, "systolic": 80, "diastolic": 95, "pain": 11, "spo2": 104,
        "heart_rate": "fast", "glucose": 5,
    }));
    let (_, p) = input.check(now(), &[]);
    assert_eq!(
        codes(&p),
        vec![
            ("diastolic".into(), "diastolic_not_below_systolic"),
            ("effective".into(), "future_date"),
            ("glucose".into(), "unknown_field"),
            ("heart_rate".into(), "not_a_number"),
            ("pain".into(), "out_of_scale"),
            ("spo2".into(), "out_of_scale"),
            ("weight".into(), "not_positive"),
        ]
    );
    assert!(p.0.iter().all(|e| !e.message.is_empty()));
}

#[test]
fn a_good_set_passes_with_units_as_given() {
    let input = vitals(json!({
        "systolic": 120, "diastolic": 80, "weight": {"value": 160, "unit": "[lb_av]"},
        "pain": 3, "temperature": 36.8, "encounter": "e1",
    }));
    let (checked, p) = input.check(now(), &["encounter"]);
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(checked.effective, now());
    assert_eq!(checked.readings.len(), 5);
    let w = checked
        .readings
        .iter()
        .find(|r| r.kind == VitalKind::Weight)
        .unwrap();
    assert_eq!((w.value, w.unit.as_str()), (160.0, "[lb_av]"));
}

#[test]
fn half_a_blood_pressure_or_nothing_is_refused() {
    let (_, p) = vitals(json!({"systolic": 120})).check(now(), &[]);
    assert_eq!(codes(&p), vec![("diastolic".into(), "required")]);
    let (_, p) = vitals(json!({})).check(now(), &[]);
    assert_eq!(codes(&p), vec![("values".into(), "required")]);
    let (_, p) = vitals(json!({"weight": 70, "height": 170, "bmi": 24})).check(now(), &[]);
    assert_eq!(codes(&p), vec![("bmi".into(), "computed")]);
}

#[test]
fn bmi_is_weight_over_height_squared() {
    assert_eq!(bmi(70.0, 175.0), Some(22.9));
    assert_eq!(bmi(70.0, 0.0), None);
}

#[test]
fn sharp_changes_follow_the_thresholds_and_windows() {
    let t0 = now();
    let day = SignedDuration::from_secs(86_400);
    // Weight: 5 % in a week.
    assert!(sharp_change(VitalKind::Weight, (t0 - day * 3, 80.0), (t0, 84.0)).is_some());
    assert!(sharp_change(VitalKind::Weight, (t0 - day * 3, 80.0), (t0, 83.9)).is_none());
    assert!(sharp_change(VitalKind::Weight, (t0 - day * 8, 80.0), (t0, 90.0)).is_none());
    // Systolic: 30 mm[Hg] either way.
    let c = sharp_change(VitalKind::Systolic, (t0 - day, 120.0), (t0, 155.0)).unwrap();
    assert_eq!((c.delta, c.threshold.as_str()), (35.0, "30 mm[Hg]"));
    assert!(sharp_change(VitalKind::Systolic, (t0 - day, 150.0), (t0, 120.0)).is_some());
    // SpO2 alerts on a fall only; pain on a rise only.
    assert!(sharp_change(VitalKind::Spo2, (t0 - day, 98.0), (t0, 92.0)).is_some());
    assert!(sharp_change(VitalKind::Spo2, (t0 - day, 90.0), (t0, 98.0)).is_none());
    assert!(sharp_change(VitalKind::Pain, (t0 - day, 2.0), (t0, 7.0)).is_some());
    assert!(sharp_change(VitalKind::Pain, (t0 - day, 8.0), (t0, 2.0)).is_none());
    // A previous value must be earlier.
    assert!(sharp_change(VitalKind::HeartRate, (t0 + day, 60.0), (t0, 120.0)).is_none());
    assert!(sharp_change(VitalKind::Height, (t0 - day, 100.0), (t0, 180.0)).is_none());
}

#[test]
fn times_dates_and_ages() {
    let mut p = Problems::default();
    let t = time::when(
        &mut p,
        "effective",
        Some("2026-03-01T10:30:00+01:00"),
        now(),
    );
    assert_eq!(time::fhir(t), "2026-03-01T09:30:00Z");
    time::when(&mut p, "effective", Some("yesterday"), now());
    time::when(&mut p, "effective", Some("1850-01-01"), now());
    assert_eq!(
        codes(&p),
        vec![
            ("effective".into(), "invalid_date"),
            ("effective".into(), "invalid_date")
        ]
    );
    let birth: jiff::civil::Date = "2026-03-01".parse().unwrap();
    assert_eq!(time::age_days(birth, now()), Some(9));
    let future: jiff::civil::Date = "2026-04-01".parse().unwrap();
    assert_eq!(time::age_days(future, now()), None);
}

#[test]
fn notes_need_a_section_and_amendments_a_reason() {
    assert!(SoapInput::default().validate().is_err());
    let n = SoapInput {
        plan: Some("  rest  ".into()),
        ..Default::default()
    };
    assert_eq!(n.validate().unwrap().plan.as_deref(), Some("rest"));
    let mut p = Problems::default();
    assert_eq!(
        amendment_reason(&mut p, Some("  typo in dose ")).as_deref(),
        Some("typo in dose")
    );
    amendment_reason(&mut p, Some("ok"));
    assert_eq!(codes(&p), vec![("reason".into(), "too_short")]);
    let mut p = Problems::default();
    amendment_reason(&mut p, None);
    assert_eq!(codes(&p), vec![("reason".into(), "required")]);
}

#[test]
fn forms_report_every_field() {
    let e = EncounterInput {
        class: Some("spaceship".into()),
        start: Some("2030-01-01".into()),
        ..Default::default()
    };
    let fields: Vec<_> = e
        .validate(now())
        .err()
        .unwrap()
        .into_iter()
        .map(|f| f.field)
        .collect();
    assert_eq!(fields, ["class", "start"]);

    let c = ConditionInput {
        clinical_status: Some("cured".into()),
        onset: Some("2025-05-01".into()),
        abatement: Some("2025-01-01".into()),
        ..Default::default()
    };
    let (_, p) = c.check(now(), &["problem-list-item", "encounter-diagnosis"]);
    assert_eq!(
        codes(&p),
        vec![
            ("abatement".into(), "before_onset"),
            ("clinical_status".into(), "invalid_choice"),
            ("code".into(), "required"),
        ]
    );

    let a = AllergyInput {
        criticality: Some("HIGH".into()),
        severity: Some("severe".into()),
        ..Default::default()
    };
    let errs = a.validate(now()).err().unwrap();
    let fields: Vec<_> = errs.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["substance", "reaction"]);

    let rx = PrescriptionInput {
        drug: Some("amoxicillin".into()),
        dose: Some(-1.0),
        dose_unit: Some("mg".into()),
        duration_days: Some(400),
        route: Some("by mouth".into()),
        ..Default::default()
    };
    let (_, p) = rx.check();
    assert_eq!(
        codes(&p),
        vec![
            ("dose".into(), "not_positive"),
            ("duration_days".into(), "out_of_range"),
            ("frequency".into(), "required"),
            ("route".into(), "invalid_choice"),
        ]
    );
}
