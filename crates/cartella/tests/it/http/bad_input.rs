//! Bad input: every malformed request gets an OperationOutcome with the right status and a
//! message that names the problem, writes nothing, and leaves the server serving.

use super::*;
use crate::support::worlds;
use serde_json::json;

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    headers: Vec<(&'static str, &'static str)>,
    body: Option<Vec<u8>>,
    status: StatusCode,
    /// Lower-case text the diagnostics must contain.
    names: &'static str,
}

fn case(
    name: &'static str,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
    status: StatusCode,
    names: &'static str,
) -> Case {
    let headers = if body.is_some() {
        vec![("Content-Type", "application/fhir+json")]
    } else {
        vec![]
    };
    Case {
        name,
        method,
        path: path.to_owned(),
        headers,
        body,
        status,
        names,
    }
}

fn cases(existing: &str) -> Vec<Case> {
    let valid = patient("Valido", "Vera", "1990-10-10", "MRN-V")
        .to_string()
        .into_bytes();
    let mut valid_with_id = patient("Valido", "Vera", "1990-10-10", "MRN-V");
    valid_with_id["id"] = json!(existing);
    let valid_with_id = valid_with_id.to_string().into_bytes();
    let huge = {
        let mut p = patient("Enorme", "Ugo", "1990-10-10", "MRN-H");
        p["text"] =
            json!({"status": "generated", "div": format!("<div>{}</div>", "x".repeat(100 * 1024))});
        p.to_string().into_bytes()
    };
    let bytes = |s: &str| Some(s.as_bytes().to_vec());
    let put = format!("Patient/{existing}");
    let bad = StatusCode::BAD_REQUEST;
    let mut out = vec![
        case(
            "malformed JSON",
            Method::POST,
            "Patient",
            bytes(r#"{"resourceType": "Patient", "name": ["#),
            bad,
            "json",
        ),
        case(
            "JSON array",
            Method::POST,
            "Patient",
            bytes(r#"[{"resourceType": "Patient"}]"#),
            bad,
            "object",
        ),
        case(
            "JSON string",
            Method::POST,
            "Patient",
            bytes(r#""Patient""#),
            bad,
            "object",
        ),
        case(
            "unknown type on create",
            Method::POST,
            "Foo",
            bytes(r#"{"resourceType": "Foo"}"#),
            bad,
            "unknown resource type",
        ),
        case(
            "unknown type on search",
            Method::GET,
            "Foo?name=x",
            None,
            bad,
            "unknown resource type",
        ),
        case(
            "unknown type on read",
            Method::GET,
            "Foo/abc",
            None,
            bad,
            "unknown resource type",
        ),
        case(
            "resourceType differs from URL",
            Method::POST,
            "Patient",
            bytes(r#"{"resourceType": "Observation", "status": "final", "code": {"text": "x"}}"#),
            bad,
            "does not match",
        ),
        case(
            "resourceType missing",
            Method::POST,
            "Patient",
            bytes(r#"{"name": [{"family": "Senzatipo"}]}"#),
            bad,
            "resourcetype",
        ),
        case(
            "invalid id in URL",
            Method::PUT,
            "Patient/bad_id!",
            bytes(r#"{"resourceType": "Patient", "id": "bad_id!"}"#),
            bad,
            "invalid resource id",
        ),
        case(
            "id in body differs from URL",
            Method::PUT,
            &put,
            bytes(r#"{"resourceType": "Patient", "id": "someone-else"}"#),
            bad,
            "does not match",
        ),
        case(
            "update without id in body",
            Method::PUT,
            &put,
            bytes(r#"{"resourceType": "Patient"}"#),
            bad,
            "id",
        ),
        case(
            "body over the limit",
            Method::POST,
            "Patient",
            Some(huge),
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger",
        ),
        case(
            "bad search date",
            Method::GET,
            "Observation?date=ge2024-13-01",
            None,
            bad,
            "2024-13-01",
        ),
        case(
            "bad _count",
            Method::GET,
            "Observation?_count=abc",
            None,
            bad,
            "_count",
        ),
        case(
            "blind date range",
            Method::GET,
            "Patient?birthdate=ge1980-01-01",
            None,
            bad,
            "birthdate",
        ),
        case(
            "vread of a non-numeric version",
            Method::GET,
            &format!("{put}/_history/abc"),
            None,
            bad,
            "version",
        ),
    ];
    out.push(Case {
        name: "wrong content type",
        method: Method::POST,
        path: "Patient".into(),
        headers: vec![("Content-Type", "text/plain")],
        body: Some(valid.clone()),
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        names: "content type",
    });
    out.push(Case {
        name: "If-Match garbage",
        method: Method::PUT,
        path: put.clone(),
        headers: vec![
            ("Content-Type", "application/fhir+json"),
            ("If-Match", "garbage"),
        ],
        body: Some(valid_with_id),
        status: bad,
        names: "if-match",
    });
    out
}

#[tokio::test]
async fn bad_requests_get_a_precise_outcome_and_write_nothing() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let backend = w.name;
        let existing = app
            .create_id(
                "Patient",
                &patient("Esistente", "Eva", "1985-08-08", "MRN-E"),
            )
            .await;
        let before = app.all_versions().await;
        assert_eq!(before.len(), 1, "{backend}: {before:?}");
        for c in cases(&existing) {
            let mut req = app.request(c.method.clone(), &c.path);
            for (k, v) in &c.headers {
                req = req.header(*k, *v);
            }
            if let Some(body) = c.body {
                req = req.body(body);
            }
            let r = send(req).await;
            assert_eq!(
                r.status, c.status,
                "{backend}: {}: {} {}: {r:?}",
                c.name, c.method, c.path
            );
            let ct = r.header("content-type").unwrap_or_default();
            assert!(
                ct.starts_with("application/fhir+json"),
                "{backend}: {}: content type {ct}",
                c.name
            );
            let diagnostics = r.outcome_diagnostics();
            assert!(
                diagnostics.to_lowercase().contains(c.names),
                "{backend}: {}: diagnostics should name the problem ('{}'): {diagnostics}",
                c.name,
                c.names
            );
            assert_eq!(
                r.json()["issue"][0]["severity"],
                "error",
                "{backend}: {}",
                c.name
            );
            assert_eq!(
                app.all_versions().await,
                before,
                "{backend}: {}: something was written",
                c.name
            );
            app.assert_healthy(c.name).await;
        }
        let r = app.get(&format!("Patient/{existing}")).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {r:?}");
        assert_eq!(
            r.json()["meta"]["versionId"],
            "1",
            "{backend}: the existing patient changed"
        );
    }
}

#[tokio::test]
async fn unknown_search_parameter_warns_or_fails_when_strict() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let id = app
            .create_id("Patient", &patient("Avviso", "Gino", "1979-12-12", "MRN-W"))
            .await;

        let r = app.get("Patient?name=Avv&frobnicate=1").await;
        assert_eq!(r.status, StatusCode::OK, "{name}: lenient handling: {r:?}");
        let bundle = r.json();
        assert_eq!(
            match_ids(&bundle),
            vec![id.clone()],
            "{name}: the known parameter still applies: {bundle}"
        );
        let outcomes: Vec<Value> = entries(&bundle)
            .into_iter()
            .filter(|e| e["search"]["mode"] == "outcome")
            .collect();
        assert_eq!(
            outcomes.len(),
            1,
            "{name}: one outcome entry expected: {bundle}"
        );
        let oo = &outcomes[0]["resource"];
        assert_eq!(oo["resourceType"], "OperationOutcome", "{name}: {oo}");
        assert_eq!(oo["issue"][0]["severity"], "warning", "{name}: {oo}");
        let diagnostics = oo["issue"][0]["diagnostics"].as_str().unwrap_or_default();
        assert!(
            diagnostics.contains("frobnicate"),
            "{name}: the warning should name the parameter: {diagnostics}"
        );

        let r = send(
            app.request(Method::GET, "Patient?name=Avv&frobnicate=1")
                .header("Prefer", "handling=strict"),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{name}: strict handling: {r:?}"
        );
        let diagnostics = r.outcome_diagnostics();
        assert!(
            diagnostics.contains("frobnicate"),
            "{name}: strict error should name the parameter: {diagnostics}"
        );
        assert!(
            !r.text.contains("Avviso"),
            "{name}: the 400 carries no data"
        );
        app.assert_healthy("strict search").await;
    }
}
