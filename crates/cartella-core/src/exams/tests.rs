use super::*;
use serde_json::{Value, json};

fn template() -> Value {
    json!({
        "resourceType": "Questionnaire", "status": "active", "title": "Pain",
        "_title": {"extension": [{"url": EXT_TRANSLATION, "extension": [
            {"url": "lang", "valueCode": "it"}, {"url": "content", "valueString": "Dolore"}]}]},
        "item": [
            {"linkId": "has-pain", "text": "Pain now?", "type": "boolean", "required": true},
            {"linkId": "details", "type": "group", "text": "Details",
             "enableWhen": [{"question": "has-pain", "operator": "=", "answerBoolean": true}],
             "item": [
                {"linkId": "nrs", "text": "NRS", "type": "integer", "required": true,
                 "extension": [{"url": EXT_MIN, "valueInteger": 0}, {"url": EXT_MAX, "valueInteger": 10}]},
                {"linkId": "temp", "text": "Temperature", "type": "decimal",
                 "extension": [{"url": EXT_UNIT, "valueCoding": {"system": "http://unitsofmeasure.org", "code": "Cel", "display": "°C"}}]},
                {"linkId": "a", "text": "A", "type": "choice", "answerOption": [
                    {"valueCoding": {"code": "0", "display": "none", "extension": [{"url": EXT_ORDINAL, "valueDecimal": 0}]}},
                    {"valueCoding": {"code": "2", "display": "much", "extension": [{"url": EXT_ORDINAL, "valueDecimal": 2}]}}]},
                {"linkId": "b", "text": "B", "type": "choice", "answerOption": [
                    {"valueCoding": {"code": "3", "display": "x", "extension": [{"url": EXT_ORDINAL, "valueDecimal": 3}]}}]},
                {"linkId": "sum", "text": "Total", "type": "integer", "readOnly": true,
                 "extension": [{"url": EXT_TOTAL, "valueString": "sum"}]}
             ]},
            {"linkId": "since", "text": "Since", "type": "date"}
        ]
    })
}

fn raw(pairs: &[(&str, &str)]) -> RawAnswers {
    let mut r = RawAnswers::new();
    for (k, v) in pairs {
        r.entry((*k).to_owned()).or_default().push((*v).to_owned());
    }
    r
}

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 3, 1)
}

fn codes(e: Vec<crate::clinical::ClinicalFieldError>) -> Vec<(String, &'static str)> {
    e.into_iter().map(|e| (e.field, e.code)).collect()
}

#[test]
fn shipped_shape_passes_and_titles_translate() {
    let q = template();
    assert_eq!(check_template(&q), vec![]);
    assert_eq!(title_in(&q, "it"), "Dolore");
    assert_eq!(title_in(&q, "de"), "Pain");
}

#[test]
fn structure_problems_name_their_path() {
    let q = json!({"resourceType": "Questionnaire", "status": "live", "item": [
        {"linkId": "x", "text": "X", "type": "choice"},
        {"linkId": "x", "text": "Y", "type": "number"},
        {"linkId": "z", "text": "Z", "type": "string",
         "enableWhen": [{"question": "nope", "operator": "~", "answerString": "a"}]}
    ]});
    let mut got: Vec<(String, &str)> = codes(check_template(&q));
    got.sort();
    assert_eq!(
        got,
        vec![
            ("item[0].answerOption".into(), "required"),
            ("item[1].linkId".into(), "duplicate"),
            ("item[1].type".into(), "unknown_type"),
            ("item[2].enableWhen[0].operator".into(), "invalid"),
            ("item[2].enableWhen[0].question".into(), "unknown_item"),
            ("status".into(), "invalid"),
            ("title".into(), "required"),
        ]
    );
    assert_eq!(
        codes(check_template(&json!([]))),
        vec![("".into(), "not_object")]
    );
}

#[test]
fn disabled_items_are_dropped_and_not_required() {
    let q = template();
    let got = answer(&q, &raw(&[("has-pain", "false"), ("nrs", "99")]), today()).unwrap();
    assert_eq!(got.items.len(), 1, "{:?}", got.items);
    assert_eq!(got.items[0]["answer"][0]["valueBoolean"], false);
    assert!(!enabled_items(&q, &raw(&[("has-pain", "false")])).contains("nrs"));
    assert!(enabled_items(&q, &raw(&[("has-pain", "true")])).contains("nrs"));
}

#[test]
fn every_problem_is_reported_per_item() {
    let q = template();
    let e = answer(
        &q,
        &raw(&[
            ("has-pain", "true"),
            ("nrs", "11"),
            ("temp", "hot"),
            ("a", "9"),
            ("since", "2027-01-01"),
        ]),
        today(),
    )
    .unwrap_err();
    assert_eq!(
        codes(e),
        vec![
            ("nrs".into(), "too_large"),
            ("temp".into(), "not_number"),
            ("a".into(), "unknown_option"),
            ("since".into(), "future_date")
        ]
    );
    let e = answer(&q, &raw(&[("has-pain", "true"), ("nrs", "2.5")]), today()).unwrap_err();
    assert_eq!(codes(e), vec![("nrs".into(), "not_integer")]);
    let e = answer(&q, &raw(&[]), today()).unwrap_err();
    assert_eq!(codes(e), vec![("has-pain".into(), "required")]);
}

#[test]
fn totals_units_and_readable_rows() {
    let q = template();
    let got = answer(
        &q,
        &raw(&[
            ("has-pain", "true"),
            ("nrs", "7"),
            ("temp", "37,5"),
            ("a", "2"),
            ("b", "3"),
        ]),
        today(),
    )
    .unwrap();
    assert_eq!(got.totals, vec![("sum".to_owned(), 5.0)]);
    let group = &got.items[1]["item"];
    assert_eq!(group[1]["answer"][0]["valueQuantity"]["value"], 37.5);
    assert_eq!(group[1]["answer"][0]["valueQuantity"]["code"], "Cel");
    assert_eq!(group[4]["answer"][0]["valueInteger"], 5);
    let response = json!({"item": got.items});
    let rows = readable(&q, &response, "en", ("yes", "no"));
    let line = |id: &str| rows.iter().find(|r| r.link_id == id).unwrap().clone();
    assert_eq!(line("has-pain").answers, vec!["yes"]);
    assert!(line("details").group);
    assert_eq!(line("temp").unit.as_deref(), Some("°C"));
    assert_eq!(line("temp").answers, vec!["37.5"]);
    assert_eq!(line("a").answers, vec!["much"]);
    assert_eq!(line("a").score, Some(2.0));
    assert!(line("sum").total);
    assert_eq!(line("sum").answers, vec!["5"]);
    assert!(rows.iter().all(|r| r.link_id != "since"));
}
