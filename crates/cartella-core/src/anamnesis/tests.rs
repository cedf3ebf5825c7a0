use super::*;
use jiff::Timestamp;

fn now() -> Timestamp {
    "2026-03-01T10:00:00Z".parse().unwrap()
}

fn codes(p: &crate::clinical::Problems) -> Vec<(String, &'static str)> {
    p.0.iter().map(|e| (e.field.clone(), e.code)).collect()
}

#[test]
fn partial_dates_accept_years_months_and_days_but_not_the_future() {
    let mut p = crate::clinical::Problems::default();
    assert_eq!(
        partial_date(&mut p, "d", Some("1985"), now()),
        Some(PartialDate("1985".into()))
    );
    assert!(partial_date(&mut p, "d", Some("1985-03"), now()).is_some());
    assert!(partial_date(&mut p, "d", Some("2026-03-01"), now()).is_some());
    assert!(p.is_empty());
    assert!(partial_date(&mut p, "a", Some("2026-04"), now()).is_none());
    assert!(partial_date(&mut p, "b", Some("1985-13"), now()).is_none());
    assert!(partial_date(&mut p, "c", Some("85"), now()).is_none());
    assert!(partial_date(&mut p, "e", Some("1850"), now()).is_none());
    assert_eq!(
        codes(&p),
        vec![
            ("a".into(), "future_date"),
            ("b".into(), "invalid_date"),
            ("c".into(), "invalid_date"),
            ("e".into(), "invalid_date"),
        ]
    );
    assert!(!PartialDate("1985".into()).after(&PartialDate("1985-06".into())));
    assert!(PartialDate("1986".into()).after(&PartialDate("1985-06".into())));
}

#[test]
fn a_past_condition_needs_a_code_or_text_and_ordered_dates() {
    let (_, p) = PastConditionInput::default().check(now());
    assert_eq!(codes(&p), vec![("code".into(), "required")]);
    let input = PastConditionInput {
        text: Some("Appendicitis".into()),
        onset: Some("2001".into()),
        abatement: Some("2000-05".into()),
        ..Default::default()
    };
    let (v, p) = input.check(now());
    assert_eq!(codes(&p), vec![("abatement".into(), "before_start")]);
    assert_eq!(v.clinical_status, "resolved");
    let input = PastConditionInput {
        code: Some("I10".into()),
        clinical_status: Some("active".into()),
        abatement: Some("2020".into()),
        ..Default::default()
    };
    let (_, p) = input.check(now());
    assert_eq!(
        codes(&p),
        vec![("abatement".into(), "abatement_while_active")]
    );
}

#[test]
fn surgeries_and_hospitalisations_check_their_fields() {
    let (v, p) = SurgeryInput {
        code: Some("12ab".into()),
        performed: Some("2030".into()),
        ..Default::default()
    }
    .check(now());
    assert!(v.is_none());
    assert_eq!(
        codes(&p),
        vec![
            ("text".into(), "required"),
            ("code".into(), "invalid_code"),
            ("performed".into(), "future_date"),
        ]
    );
    let (v, p) = HospitalisationInput {
        start: Some("2019-05-02".into()),
        end: Some("2019-04-30".into()),
        text: Some("Pneumonia".into()),
        ..Default::default()
    }
    .check(now());
    assert!(v.is_some());
    assert_eq!(codes(&p), vec![("end".into(), "before_start")]);
    let (_, p) = HospitalisationInput::default().check(now());
    assert_eq!(
        codes(&p),
        vec![("start".into(), "required"), ("code".into(), "required")]
    );
}

#[test]
fn a_complaint_keeps_its_course_only_when_given() {
    let (v, p) = ComplaintInput {
        text: Some("Low back pain".into()),
        onset: Some("2026-02".into()),
        ..Default::default()
    }
    .check(now());
    assert!(p.is_empty());
    assert_eq!(v.unwrap().course, None);
    let (_, p) = ComplaintInput {
        text: Some("Cough".into()),
        course: Some("sideways".into()),
        ..Default::default()
    }
    .check(now());
    assert_eq!(codes(&p), vec![("course".into(), "invalid_choice")]);
}

#[test]
fn family_history_knows_its_relatives_ages_and_deaths() {
    let (v, p) = FamilyInput {
        relationship: Some("mth".into()),
        text: Some("Breast cancer".into()),
        onset_age: Some(serde_json::json!("52")),
        deceased: Some(serde_json::json!(true)),
        ..Default::default()
    }
    .check();
    assert!(p.is_empty(), "{p:?}");
    let v = v.unwrap();
    assert_eq!(v.relationship, ("MTH", "mother"));
    assert_eq!((v.onset_age, v.deceased), (Some(52), Some(true)));
    let (_, p) = FamilyInput {
        relationship: Some("NEIGHBOUR".into()),
        code: Some("I21.9".into()),
        onset_age: Some(serde_json::json!(-3)),
        deceased: Some(serde_json::json!("maybe")),
        ..Default::default()
    }
    .check();
    assert_eq!(
        codes(&p),
        vec![
            ("relationship".into(), "unknown_relationship"),
            ("onset_age".into(), "invalid_age"),
            ("deceased".into(), "invalid_choice"),
        ]
    );
}
