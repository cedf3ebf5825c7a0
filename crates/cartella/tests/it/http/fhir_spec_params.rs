//! Search parameters come from the official R4 definitions: Resource-level `_tag`, `_security`,
//! `_profile` on every type, choice elements (`effective[x]`), filtered paths (`phone` vs
//! `email`), parameters of types Cartella has no own code for, typed references checked
//! against the parameter's targets, `ap` on quantities, and history with `_since`.

use super::*;
use crate::support::worlds;
use serde_json::json;

fn one(id: &str) -> HashSet<String> {
    set(&[id.to_owned()])
}

fn both(a: &str, b: &str) -> HashSet<String> {
    set(&[a.to_owned(), b.to_owned()])
}

#[tokio::test]
async fn resource_level_parameters_hold_for_every_type() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let b = app.backend;
        let meta = json!({"tag": [{"system": "urn:cartella:test", "code": "study-7"}],
            "security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}],
            "profile": ["http://example.org/StructureDefinition/med|2.0"]});
        let med = app
            .create_id(
                "Medication",
                &json!({"resourceType": "Medication", "meta": meta,
                    "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1049502"}]}}),
            )
            .await;
        let plain = app
            .create_id("Medication", &json!({"resourceType": "Medication"}))
            .await;
        let p = app
            .create_id("Patient", &patient("Neri", "Anna", "1970-01-01", "n1"))
            .await;
        let mut obs = observation(&p, LOINC, HEART_RATE, "2024-03-01");
        obs["meta"] = json!({"tag": [{"system": "urn:cartella:test", "code": "study-7"}]});
        let obs = app.create_id("Observation", &obs).await;

        for q in [
            "Medication?_tag=urn:cartella:test|study-7",
            "Medication?_tag=study-7",
            "Medication?_security=R",
            "Medication?_profile=http://example.org/StructureDefinition/med|2.0",
            "Medication?code=http://www.nlm.nih.gov/research/umls/rxnorm|1049502",
        ] {
            assert_eq!(ids(&app, q).await, one(&med), "{b}: {q}");
        }
        assert_eq!(
            ids(&app, "Medication?_tag:not=study-7").await,
            one(&plain),
            "{b}"
        );
        assert!(
            ids(
                &app,
                "Medication?_profile=http://example.org/StructureDefinition/med"
            )
            .await
            .is_empty(),
            "{b}: a uri is matched whole, version included"
        );
        assert_eq!(
            ids(&app, "Observation?_tag=study-7").await,
            one(&obs),
            "{b}"
        );
        let r = app.get("Medication?_tag=study-7&unknown-x=1").await;
        assert_eq!(r.status, StatusCode::OK, "{b}");
    }
}

#[tokio::test]
async fn choice_elements_filters_and_spec_parameters() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let b = app.backend;
        let p = app
            .create_id(
                "Patient",
                &json!({"resourceType": "Patient",
                    "telecom": [{"system": "phone", "value": "+39 06 5550101"},
                                {"system": "email", "value": "anna.neri@example.org"}]}),
            )
            .await;
        // effectivePeriod, not effectiveDateTime: `date` reads whichever effective[x] is there.
        let mut period = observation(&p, LOINC, "85354-9", "x");
        period.as_object_mut().unwrap().remove("effectiveDateTime");
        period["effectivePeriod"] =
            json!({"start": "2023-05-01T08:00:00Z", "end": "2023-05-01T09:00:00Z"});
        period["component"] = json!([{"code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
            "valueQuantity": {"value": 128, "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}]);
        period.as_object_mut().unwrap().remove("valueQuantity");
        let period = app.create_id("Observation", &period).await;
        let mut hr = observation(&p, LOINC, HEART_RATE, "2024-01-01");
        hr["valueQuantity"]["value"] = json!(95);
        let hr = app.create_id("Observation", &hr).await;
        let mut fast = observation(&p, LOINC, HEART_RATE, "2024-01-02");
        fast["valueQuantity"]["value"] = json!(120);
        let fast = app.create_id("Observation", &fast).await;

        assert_eq!(
            ids(&app, "Observation?date=2023-05-01").await,
            one(&period),
            "{b}: effectivePeriod"
        );
        assert_eq!(
            ids(&app, "Observation?combo-code=8480-6").await,
            one(&period),
            "{b}: component code"
        );
        assert_eq!(
            ids(&app, "Observation?component-value-quantity=gt120").await,
            one(&period),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?value-quantity=ap100").await,
            one(&hr),
            "{b}: ap is within 10%: 95 but not 120"
        );
        assert_eq!(
            ids(&app, "Observation?value-quantity=ap120").await,
            one(&fast),
            "{b}: 108..132"
        );
        assert!(
            ids(&app, "Observation?value-quantity=100").await.is_empty(),
            "{b}: eq is the value's precision only"
        );

        // phone and email are the telecoms of that system, each through the blind index.
        assert_eq!(
            ids(&app, "Patient?phone=%2B39%2006%205550101").await,
            one(&p),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Patient?email=anna.neri@example.org").await,
            one(&p),
            "{b}"
        );
        assert!(
            ids(&app, "Patient?email=%2B39%2006%205550101")
                .await
                .is_empty(),
            "{b}: a phone number is no email"
        );
        assert_eq!(
            ids(&app, "Patient?telecom=anna.neri@example.org").await,
            one(&p),
            "{b}"
        );
    }
}

#[tokio::test]
async fn typed_references_must_name_a_target_of_the_parameter() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let b = app.backend;
        for (q, says) in [
            (
                "Observation?subject:Foo=1",
                "'Foo' is not an R4 resource type",
            ),
            (
                "Observation?subject=Medication/1",
                "does not refer to Medication",
            ),
            ("Observation?patient:Group=1", "does not refer to Group"),
        ] {
            let r = app.get(q).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}: {q}: {r:?}");
            let d = r.outcome_diagnostics();
            assert!(d.contains(says), "{b}: {q}: {d}");
        }
        let r = app.get("Observation?subject:Group=1").await;
        assert_eq!(r.status, StatusCode::OK, "{b}: Group is a subject type");
    }
}

#[tokio::test]
async fn history_since_leaves_out_older_versions() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let b = app.backend;
        let v1 = app
            .create("Patient", &patient("Bruni", "Carla", "1981-01-01", "b1"))
            .await;
        let id = v1["id"].as_str().unwrap().to_owned();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let mut body = v1.clone();
        body["gender"] = json!("other");
        let r = send(app.put(&format!("Patient/{id}"), &body)).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {r:?}");
        let v2_at = r.json()["meta"]["lastUpdated"].as_str().unwrap().to_owned();
        let since = v2_at.replace('+', "%2B");

        let versions = |bundle: Value| -> Vec<String> {
            entries(&bundle)
                .iter()
                .map(|e| {
                    e["resource"]["meta"]["versionId"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned()
                })
                .collect()
        };
        let all = app.get(&format!("Patient/{id}/_history")).await;
        assert_eq!(versions(all.json()), ["2", "1"], "{b}");
        for path in [
            format!("Patient/{id}/_history?_since={since}"),
            format!("Patient/_history?_since={since}"),
            format!("_history?_since={since}"),
        ] {
            let r = app.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{b}: {path}: {r:?}");
            assert_eq!(versions(r.json()), ["2"], "{b}: {path}");
        }
        let r = app
            .get(&format!("Patient/{id}/_history?_since=yesterday"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        assert!(r.outcome_diagnostics().contains("_since"), "{b}");
        let r = app.get("Patient/_history?_count=1").await;
        assert_eq!(entries(&r.json()).len(), 1, "{b}: _count");
    }
}

/// The combo-* parameters store no rows of their own: they are answered over the rows of the
/// parameters they merge, for matching, `:not`, prefixes, `:missing` and sorting across pages.
#[tokio::test]
async fn combo_parameters_merge_value_and_component() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let b = app.backend;
        let p = app
            .create_id("Patient", &json!({"resourceType": "Patient"}))
            .await;
        let mut bp = observation(&p, LOINC, "85354-9", "2024-02-01");
        bp.as_object_mut().unwrap().remove("valueQuantity");
        bp["component"] = json!([{"code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
            "valueQuantity": {"value": 128, "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}]);
        let bp = app.create_id("Observation", &bp).await;
        let mut hr = observation(&p, LOINC, HEART_RATE, "2024-02-02");
        hr["valueQuantity"]["value"] = json!(120);
        let hr = app.create_id("Observation", &hr).await;
        // Created last, sorted first: its component code is the smallest code of all.
        let mut resp = observation(&p, LOINC, "9279-1", "2024-02-03");
        resp.as_object_mut().unwrap().remove("valueQuantity");
        resp["component"] = json!([{"code": {"coding": [{"system": LOINC, "code": "1111-1"}]},
            "valueCodeableConcept": {"coding": [{"system": "urn:test", "code": "regular"}]}}]);
        let resp = app.create_id("Observation", &resp).await;

        assert_eq!(
            ids(&app, "Observation?combo-code=85354-9").await,
            one(&bp),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?combo-code=8480-6").await,
            one(&bp),
            "{b}"
        );
        assert_eq!(
            ids(
                &app,
                &format!("Observation?combo-code={LOINC}|8480-6,{HEART_RATE}")
            )
            .await,
            both(&bp, &hr),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?combo-code:not=8480-6").await,
            both(&hr, &resp),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?combo-value-quantity=ge120").await,
            both(&bp, &hr),
            "{b}: a component value and a value"
        );
        assert_eq!(
            ids(&app, "Observation?combo-value-quantity=gt120").await,
            one(&bp),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?combo-value-concept=urn:test|regular").await,
            one(&resp),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?combo-value-quantity:missing=true").await,
            one(&resp),
            "{b}"
        );
        let (sorted, pages) = app
            .search_all(TENANT_A, "Observation?_sort=combo-code&_count=1")
            .await;
        assert_eq!(sorted, [resp.clone(), bp.clone(), hr.clone()], "{b}");
        assert_eq!(pages, 3, "{b}");
        let (sorted, _) = app
            .search_all(TENANT_A, "Observation?_sort=-combo-code&_count=1")
            .await;
        assert_eq!(sorted, [resp, hr, bp], "{b}: the largest code of each");
    }
}

/// `patient` on Observation stores no rows of its own: it is answered over the `subject` rows
/// that point to a Patient, for matching, `:missing`, chains, `_include` and `_revinclude`; a
/// subject of another type is never taken for a patient.
#[tokio::test]
async fn patient_is_the_subject_when_the_subject_is_a_patient() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let b = app.backend;
        let p = app
            .create_id(
                "Patient",
                &json!({"resourceType": "Patient", "gender": "female"}),
            )
            .await;
        let g = app
            .create_id(
                "Group",
                &json!({"resourceType": "Group", "type": "person", "actual": true}),
            )
            .await;
        let of_patient = app
            .create_id(
                "Observation",
                &observation(&p, LOINC, HEART_RATE, "2024-01-01"),
            )
            .await;
        let mut obs = observation(&p, LOINC, HEART_RATE, "2024-01-02");
        obs["subject"] = json!({"reference": format!("Group/{g}")});
        let of_group = app.create_id("Observation", &obs).await;
        obs.as_object_mut().unwrap().remove("subject");
        let of_nobody = app.create_id("Observation", &obs).await;

        for q in [
            format!("Observation?patient={p}"),
            format!("Observation?patient=Patient/{p}"),
            format!("Observation?subject=Patient/{p}"),
            "Observation?patient:missing=false".to_owned(),
            "Observation?patient.gender=female".to_owned(),
            "Observation?subject:Patient.gender=female".to_owned(),
        ] {
            assert_eq!(ids(&app, &q).await, one(&of_patient), "{b}: {q}");
        }
        assert_eq!(
            ids(&app, &format!("Observation?subject={g}")).await,
            one(&of_group),
            "{b}"
        );
        assert!(
            ids(&app, &format!("Observation?patient={g}"))
                .await
                .is_empty(),
            "{b}: the group's id is no patient's"
        );
        assert_eq!(
            ids(&app, "Observation?patient:missing=true").await,
            both(&of_group, &of_nobody),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?subject:missing=true").await,
            one(&of_nobody),
            "{b}"
        );
        for (of, included) in [(&of_patient, Some(&p)), (&of_group, None)] {
            let q = format!("Observation?_id={of}&_include=Observation:patient");
            let want = set(&[Some(of), included]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>());
            assert_eq!(ids(&app, &q).await, want, "{b}: {q}");
        }
        let r = app.get(&format!("Observation?patient=Group/{g}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        assert_eq!(
            ids(
                &app,
                &format!("Patient?_id={p}&_revinclude=Observation:patient")
            )
            .await,
            both(&p, &of_patient),
            "{b}"
        );
    }
}
