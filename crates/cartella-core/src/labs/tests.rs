use super::chart::{Point, layout};
use super::units::{convert, tidy};
use super::*;
use serde_json::json;

#[test]
fn orders_need_a_known_priority_and_at_least_one_test() {
    let (v, p) = OrderInput {
        tests: vec![" 2345-7 ".into(), "2345-7".into(), "".into()],
        priority: Some("STAT".into()),
        ..Default::default()
    }
    .check();
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(v.tests, vec!["2345-7"]);
    assert_eq!(v.priority, "stat");
    let (_, p) = OrderInput {
        priority: Some("whenever".into()),
        ..Default::default()
    }
    .check();
    let codes: Vec<_> = p.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        codes,
        vec![("tests", "required"), ("priority", "invalid_choice")]
    );
}

#[test]
fn numbers_accept_decimal_commas_and_refuse_text() {
    assert_eq!(number(&json!(5.2)), Ok(Some(5.2)));
    assert_eq!(number(&json!(" 5,2 ")), Ok(Some(5.2)));
    assert_eq!(number(&json!("")), Ok(None));
    assert_eq!(number(&Value::Null), Ok(None));
    assert_eq!(number(&json!("high")), Err(NotANumber));
    assert_eq!(number(&json!(true)), Err(NotANumber));
}

#[test]
fn a_lab_range_must_have_low_below_high() {
    let mut p = Problems::default();
    let r = ResultInput {
        code: "2345-7".into(),
        value: json!(90),
        low: Some(json!("110")),
        high: Some(json!(70)),
        ..Default::default()
    };
    assert_eq!(check_range(&mut p, &r), (Some(110.0), Some(70.0)));
    assert_eq!(p.0[0].field, "results.2345-7.high");
    assert_eq!(p.0[0].code, "range_inverted");
}

#[test]
fn results_need_one_value_and_a_past_time() {
    let now = Timestamp::now();
    let (_, _, p) = ResultsInput {
        effective: Some("2999-01-01".into()),
        results: vec![ResultInput {
            code: "x".into(),
            value: json!(" "),
            ..Default::default()
        }],
        ..Default::default()
    }
    .check(now);
    let fields: Vec<_> = p.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["effective", "results"]);
}

#[test]
fn converts_within_a_dimension_only() {
    assert_eq!(convert(1.0, "g/L", "g/dL").map(tidy), Some(0.1));
    assert_eq!(convert(140.0, "g/L", "g/dL").map(tidy), Some(14.0));
    assert_eq!(convert(7.5, "10*9/L", "10*3/uL").map(tidy), Some(7.5));
    assert_eq!(convert(1.2, "mg/dL", "umol/L"), None);
    assert_eq!(convert(0.42, "L/L", "%").map(tidy), Some(42.0));
    assert_eq!(convert(1.0, "mg/dL", "mg/dL"), Some(1.0));
    assert_eq!(convert(1.0, "stone", "kg"), None);
}

#[test]
fn chart_marks_flagged_points_and_draws_the_band_inside_the_plot() {
    let pts = [
        Point {
            at: 200,
            value: 180.0,
            flagged: true,
        },
        Point {
            at: 100,
            value: 90.0,
            flagged: false,
        },
    ];
    let c = layout(&pts, (Some(70.0), Some(99.0)));
    assert_eq!(c.dots.len(), 2);
    assert!(c.dots[0].x < c.dots[1].x, "sorted by time");
    assert!(c.dots[1].flagged && !c.dots[0].flagged);
    assert!(c.dots[1].y < c.dots[0].y, "higher values are drawn higher");
    let (top, h) = c.band.unwrap();
    assert!(top >= c.top && top + h <= c.bottom, "{c:?}");
    assert!(
        c.dots[0].y > top && c.dots[0].y < top + h,
        "90 is inside 70–99"
    );
    assert_eq!(c.ticks.len(), 5);
    let one = layout(&pts[..1], (None, None));
    assert!(one.band.is_none());
    assert_eq!(one.dots[0].x, c.left + (c.right - c.left) / 2.0);
}
