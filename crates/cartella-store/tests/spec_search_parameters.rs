//! The compiled-in search-parameter table matches the official R4 definitions: every parameter
//! of a searchable type (token, string, date, reference, quantity, number, uri) with a FHIRPath
//! expression is a rule of each of its base types, with the spec's type.

use cartella_store::extract::{Kind, rules::rule};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Parameters whose expression is not a path (documented in the generated table's header).
const NOT_PATHS: &[(&str, &str)] = &[("Bundle", "composition"), ("Bundle", "message")];

fn definitions() -> Option<Value> {
    // As the integration tests find it: beside the checkout, or under $CARTELLA_SHARED_DIR.
    let root = std::env::var_os("CARTELLA_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let file = root.join("data/fhir-r4/search-parameters.json.gz");
    if !file.exists() {
        assert!(
            std::env::var("CI").is_err(),
            "{} is required in CI",
            file.display()
        );
        return None;
    }
    let out = Command::new("gzip").arg("-dc").arg(&file).output().unwrap();
    assert!(out.status.success(), "gzip -dc {}", file.display());
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

fn kind(spec_type: &str) -> Option<Kind> {
    Some(match spec_type {
        "token" => Kind::Token,
        "string" => Kind::String,
        "date" => Kind::Date,
        "reference" => Kind::Reference,
        "quantity" => Kind::Quantity,
        "number" => Kind::Number,
        "uri" => Kind::Uri,
        _ => return None,
    })
}

#[test]
fn every_searchable_spec_parameter_is_a_rule_of_its_types() {
    let Some(bundle) = definitions() else { return };
    let (mut checked, mut missing) = (0, Vec::new());
    for entry in bundle["entry"].as_array().unwrap() {
        let sp = &entry["resource"];
        let code = sp["code"].as_str().unwrap();
        let Some(want) = kind(sp["type"].as_str().unwrap()) else {
            continue;
        };
        if sp.get("expression").is_none() || matches!(code, "_id" | "_lastUpdated") {
            continue;
        }
        for base in sp["base"].as_array().unwrap() {
            let base = base.as_str().unwrap();
            // Resource-level parameters (`_tag`, `_profile`…) hold for every type.
            let types = if base == "Resource" {
                vec!["Patient", "Observation", "Binary"]
            } else {
                vec![base]
            };
            for t in types {
                if NOT_PATHS.contains(&(t, code)) {
                    continue;
                }
                checked += 1;
                match rule(t, code) {
                    Some(r) if r.kind == want => {}
                    other => missing.push(format!("{t}.{code}: {:?}", other.map(|r| r.kind))),
                }
            }
        }
    }
    assert!(missing.is_empty(), "not in the table: {missing:#?}");
    assert!(checked > 1_500, "only {checked} parameters checked");
}

#[test]
fn reference_parameters_know_their_target_types() {
    let subject = rule("Observation", "subject").unwrap();
    assert!(subject.targets.contains(&"Patient") && subject.targets.contains(&"Group"));
    assert!(!subject.targets.contains(&"Observation"));
    let patient = rule("Observation", "patient").unwrap();
    assert_eq!(patient.target, Some("Patient"));
    assert_eq!(patient.targets, ["Patient"]);
}
