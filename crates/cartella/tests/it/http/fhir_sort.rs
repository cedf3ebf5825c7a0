//! Result shaping and control on search: `_sort` with keyset paging, `_summary`, `_elements`,
//! `_total`, and lenient versus strict handling of what is not supported.

use super::*;
use crate::support::worlds;
use serde_json::json;

fn obs(code: &str, when: Option<&str>) -> Value {
    let mut o = json!({"resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}], "text": "Heart rate"}});
    if let Some(w) = when {
        o["effectiveDateTime"] = json!(w);
    }
    o
}

/// Follow every page of `query`; returns the ids in order.
async fn all_pages(app: &TestApp, query: &str) -> Vec<String> {
    app.search_all(TENANT_A, query).await.0
}

#[tokio::test]
async fn sort_orders_and_pages_by_keyset_in_both_directions() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let mut ids = Vec::new();
        for (code, when) in [
            ("c", Some("2024-01-05")),
            ("a", Some("2024-01-01")),
            ("e", Some("2024-01-03")),
            ("b", Some("2024-01-03")),
            ("d", None),
            ("g", Some("2023-12-31T10:00:00Z")),
            ("f", Some("2024-02-01")),
        ] {
            ids.push(app.create_id("Observation", &obs(code, when)).await);
        }
        let by = |order: &[usize]| order.iter().map(|&i| ids[i].clone()).collect::<Vec<_>>();
        let b = app.backend;
        // Ascending by date, ties by creation, the one without a date last; pages of 3.
        assert_eq!(
            all_pages(&app, "Observation?_sort=date&_count=3").await,
            by(&[5, 1, 2, 3, 0, 6, 4]),
            "{b}"
        );
        // Descending: ties reversed too, the missing date still last.
        assert_eq!(
            all_pages(&app, "Observation?_sort=-date&_count=2").await,
            by(&[6, 0, 3, 2, 1, 5, 4]),
            "{b}"
        );
        assert_eq!(
            all_pages(&app, "Observation?_sort=code&_count=3").await,
            by(&[1, 3, 0, 4, 2, 6, 5]),
            "{b}"
        );
        assert_eq!(
            all_pages(&app, "Observation?_sort=-code&_count=4").await,
            by(&[5, 6, 2, 4, 0, 3, 1]),
            "{b}"
        );
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(
            all_pages(&app, "Observation?_sort=_id&_count=2").await,
            sorted,
            "{b}"
        );
        sorted.reverse();
        assert_eq!(
            all_pages(&app, "Observation?_sort=-_id&_count=5").await,
            sorted,
            "{b}"
        );
        let mut newest_first = ids.clone();
        newest_first.reverse();
        assert_eq!(
            all_pages(&app, "Observation?_sort=-_lastUpdated&_count=3").await,
            newest_first,
            "{b}"
        );
        // Strings (normalised) on a non-identifying type.
        for family in ["Zeta", "alpha", "Émile"] {
            app.create_id(
                "Practitioner",
                &json!({"resourceType": "Practitioner", "name": [{"family": family}]}),
            )
            .await;
        }
        let r = app.get("Practitioner?_sort=family&_count=1").await;
        let first = r.json()["entry"][0]["resource"]["name"][0]["family"].clone();
        assert_eq!(first, "alpha", "{b}: {}", r.text);
        let (names, pages) = app
            .search_all(TENANT_A, "Practitioner?_sort=-family&_count=1")
            .await;
        assert_eq!((names.len(), pages), (3, 3), "{b}");
        // A cursor from another sort is refused rather than misread.
        let r = app.get("Observation?_sort=_id&_cursor=i.5.5").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}: {r:?}");
    }
}

#[tokio::test]
async fn sort_on_blinded_patient_fields_warns_or_is_refused() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        app.create_id("Patient", &patient("Rossi", "Maria", "1980-04-02", "m1"))
            .await;
        let r = app.get("Patient?_sort=birthdate").await;
        assert_eq!(r.status, StatusCode::OK, "{}: {r:?}", app.backend);
        let body = r.json();
        let outcome = entries(&body)
            .into_iter()
            .find(|e| e["search"]["mode"] == "outcome")
            .expect("a warning entry");
        assert_eq!(outcome["resource"]["issue"][0]["severity"], "warning");
        assert!(
            outcome["resource"]["issue"][0]["diagnostics"]
                .as_str()
                .unwrap()
                .contains("birthdate")
        );
        assert_eq!(match_ids(&body).len(), 1);
        let r = send(
            app.request(Method::GET, "Patient?_sort=birthdate")
                .header("Prefer", "handling=strict"),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}: {r:?}", app.backend);
        assert!(r.outcome_diagnostics().contains("encrypted"));
        // The same for :contains on an encrypted name, and for unknown parameters.
        for q in ["Patient?name:contains=ross", "Patient?shoe-size=42"] {
            let r = app.get(q).await;
            assert_eq!(r.status, StatusCode::OK, "{}: {q}: {r:?}", app.backend);
            assert_eq!(match_ids(&r.json()).len(), 1, "{q}: ignored, not applied");
            let r = send(
                app.request(Method::GET, q)
                    .header("Prefer", "handling=strict"),
            )
            .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}: {q}", app.backend);
        }
    }
}

#[tokio::test]
async fn summary_elements_and_total_shape_the_bundle() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        for n in 0..3 {
            let mut p = patient("Bianchi", "Anna", "1975-01-01", &format!("b{n}"));
            p["text"] = json!({"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"});
            p["photo"] = json!([{"contentType": "image/png"}]);
            app.create_id("Patient", &p).await;
        }
        let b = app.backend;
        let r = app.get("Patient?_summary=count").await;
        let body = r.json();
        assert_eq!(body["total"], 3, "{b}: {}", r.text);
        assert!(match_ids(&body).is_empty(), "{b}: count only");
        let r = app.get("Patient?_total=accurate&_count=1").await;
        assert_eq!(r.json()["total"], 3, "{b}");
        assert_eq!(match_ids(&r.json()).len(), 1);
        let r = app.get("Patient?_summary=true").await;
        let body = r.json();
        let first = &entries(&body)[0]["resource"];
        assert!(
            first.get("photo").is_none() && first.get("text").is_none(),
            "{b}: {first}"
        );
        assert_eq!(first["name"][0]["family"], "Bianchi");
        assert_eq!(first["meta"]["tag"][0]["code"], "SUBSETTED");
        let r = app.get("Patient?_summary=data").await;
        let first = entries(&r.json())[0]["resource"].clone();
        assert!(
            first.get("text").is_none() && first.get("photo").is_some(),
            "{b}"
        );
        let r = app.get("Patient?_elements=gender").await;
        let first = entries(&r.json())[0]["resource"].clone();
        assert_eq!(first["gender"], "female", "{b}");
        assert!(
            first.get("name").is_none() && first.get("id").is_some(),
            "{b}: {first}"
        );
        let r = app.get("Patient?_summary=maybe").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        // POST _search takes the same parameters in a form body.
        let r = send(
            app.request(Method::POST, "Patient/_search")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("_summary=count"),
        )
        .await;
        assert_eq!(r.json()["total"], 3, "{b}: {r:?}");
    }
}
