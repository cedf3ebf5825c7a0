//! Tests of the data generator: determinism, plausibility and bundle shape.

use super::*;
use std::collections::HashSet;

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
    let json = |seed, i| {
        let r = Record::generate(seed, i, 12);
        serde_json::to_string(&r.into_entries().map(|e| e.resource).collect::<Vec<_>>()).unwrap()
    };
    for i in 0..20 {
        assert_eq!(json(42, i), json(42, i));
    }
    assert_ne!(json(42, 3), json(43, 3));
    assert_ne!(json(42, 3), json(42, 4));
}

#[test]
fn record_len_predicts_the_generated_record() {
    for i in 0..50 {
        let r = Record::generate(7, i, 9);
        assert_eq!(record_len(7, i, 9), 1 + r.others.len());
    }
}

#[test]
fn dates_and_values_are_plausible() {
    assert_eq!(civil(0), (1970, 1, 1));
    assert_eq!(civil(CLINICAL_DAYS.0), (2019, 1, 1));
    assert_eq!(civil(CLINICAL_DAYS.1 - 1), (2024, 12, 31));
    assert_eq!(civil(-14_610), (1930, 1, 1));
    for i in 0..30 {
        let r = Record::generate(1, i, 40);
        let birth = r.patient.resource["birthDate"].as_str().unwrap().to_owned();
        assert!(
            ("1930-01-01".."2015-01-01").contains(&birth.as_str()),
            "{birth}"
        );
        for e in &r.others {
            let res = &e.resource;
            let when = res["effectiveDateTime"]
                .as_str()
                .or(res["period"]["start"].as_str())
                .unwrap();
            assert!(("2019-01-01".."2025-01-01").contains(&when), "{when}");
            if res["resourceType"] == "Observation" {
                let v = res["valueQuantity"]["value"].as_f64().unwrap();
                assert!((30.0..200.0).contains(&v), "{v}");
            }
        }
        assert_eq!(
            r.others
                .iter()
                .filter(|e| e.resource["resourceType"] == "Observation")
                .count(),
            40
        );
    }
}

#[test]
fn bundle_references_resolve_to_entries_of_the_same_bundle() {
    let entries = (0..3).flat_map(|i| Record::generate(42, i, 8).into_entries());
    let bundle = transaction(entries);
    assert_eq!(bundle["type"], "transaction");
    let entry = bundle["entry"].as_array().unwrap();
    assert_eq!(
        entry.len(),
        (0..3).map(|i| record_len(42, i, 8)).sum::<usize>()
    );
    let full: HashSet<&str> = entry
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    assert_eq!(full.len(), entry.len(), "fullUrls are unique");
    let mut refs = 0;
    for e in entry {
        let rtype = e["resource"]["resourceType"].as_str().unwrap();
        assert_eq!(e["request"]["method"], "POST");
        assert_eq!(e["request"]["url"], rtype);
        assert!(e["fullUrl"].as_str().unwrap().starts_with("urn:uuid:"));
        if let Some(r) = e["resource"]["subject"]["reference"].as_str() {
            assert!(full.contains(r), "{r} is not an entry of the bundle");
            let target = entry.iter().find(|t| t["fullUrl"] == r).unwrap();
            assert_eq!(target["resource"]["resourceType"], "Patient");
            refs += 1;
        }
    }
    assert_eq!(refs, entry.len() - 3);
}

#[test]
fn uuids_look_like_version_4() {
    let mut rng = Rng::stream(1, 2, 3);
    let u = rng.uuid();
    assert_eq!(u.len(), 36);
    assert_eq!(&u[14..15], "4");
    assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
}
