//! Bulk Data `$export`: kick-off, status polling, manifest, NDJSON download, deletion, the
//! `_type`/`_since` filters, Patient and Group levels, encryption at rest, and isolation between
//! practices.

use super::*;
use crate::support::worlds;
use cartella_store::Lane;
use cartella_store::jobs::Worker;
use serde_json::json;

/// Run the bulk lane once, as `cartella serve` does in the background.
async fn run_jobs(app: &TestApp) {
    let mut worker = Worker::new(app.store.backend().clone(), Lane::Bulk);
    worker.register(
        cartella_store::store::JOB_EXPORT,
        Arc::new(cartella_server::jobs::FhirExport {
            store: app.store.clone(),
        }),
    );
    worker.run_once().await.expect("bulk lane");
}

/// Kick off `path` as `tenant`; returns the status URL.
async fn kick_off(app: &TestApp, tenant: &str, path: &str) -> String {
    let r = send(
        app.request_as(tenant, Method::GET, path)
            .header("Prefer", "respond-async"),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::ACCEPTED,
        "{}: {path}: {r:?}",
        app.backend
    );
    r.header("content-location")
        .expect("Content-Location")
        .to_owned()
}

/// The finished manifest, and every output file as `(type, resources)`.
async fn finish(
    app: &TestApp,
    tenant: &str,
    status_url: &str,
) -> (Value, Vec<(String, Vec<Value>)>) {
    run_jobs(app).await;
    let r = app.get_as(tenant, status_url).await;
    assert_eq!(r.status, StatusCode::OK, "{}: {r:?}", app.backend);
    let manifest = r.json();
    let mut files = Vec::new();
    for out in manifest["output"].as_array().unwrap() {
        let r = app.get_as(tenant, out["url"].as_str().unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", app.backend);
        assert_eq!(r.header("content-type"), Some("application/fhir+ndjson"));
        let lines: Vec<Value> = r
            .text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len() as u64, out["count"].as_u64().unwrap());
        files.push((out["type"].as_str().unwrap().to_owned(), lines));
    }
    (manifest, files)
}

fn ids_of(files: &[(String, Vec<Value>)], rtype: &str) -> HashSet<String> {
    files
        .iter()
        .filter(|(t, _)| t == rtype)
        .flat_map(|(_, l)| l.iter().map(|r| r["id"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn system_export_round_trip_stays_in_its_practice() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let b = app.backend;
        let p1 = app
            .create_id("Patient", &patient("Esportato", "Uno", "1970-01-01", "e1"))
            .await;
        let p2 = app
            .create_id("Patient", &patient("Esportato", "Due", "1971-01-01", "e2"))
            .await;
        let mut obs = HashSet::new();
        for p in [&p1, &p1, &p2] {
            obs.insert(
                app.create_id(
                    "Observation",
                    &observation(p, LOINC, HEART_RATE, "2024-01-01"),
                )
                .await,
            );
        }
        let other = send(
            app.request_as(TENANT_B, Method::POST, "Patient")
                .header("Content-Type", "application/fhir+json")
                .body(patient("Altrove", "Tre", "1972-01-01", "x1").to_string()),
        )
        .await;
        assert_eq!(other.status, StatusCode::CREATED);
        let other_id = other.json()["id"].as_str().unwrap().to_owned();

        let r = app.get("$export").await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{b}: respond-async is required"
        );
        let r = send(
            app.request(Method::GET, "$export?_outputFormat=text/csv")
                .header("Prefer", "respond-async"),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");

        let status = kick_off(&app, TENANT_A, "$export").await;
        assert!(status.contains("/fhir/R4/$export-status/"), "{status}");
        let r = app.get(&status).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{b}: still queued");
        assert!(r.header("x-progress").is_some(), "{b}");
        // Another practice cannot see the status.
        assert_eq!(
            app.get_as(TENANT_B, &status).await.status,
            StatusCode::NOT_FOUND,
            "{b}"
        );

        let (manifest, files) = finish(&app, TENANT_A, &status).await;
        assert_eq!(manifest["requiresAccessToken"], true);
        assert!(
            manifest["request"]
                .as_str()
                .unwrap()
                .ends_with("/fhir/R4/$export"),
            "{manifest}"
        );
        assert!(
            manifest["transactionTime"]
                .as_str()
                .unwrap()
                .starts_with("20")
        );
        assert_eq!(
            ids_of(&files, "Patient"),
            set(&[p1.clone(), p2.clone()]),
            "{b}"
        );
        assert_eq!(ids_of(&files, "Observation"), obs, "{b}");
        assert!(!ids_of(&files, "Patient").contains(&other_id), "{b}");

        // The files are sealed at rest: the database never holds the NDJSON in clear.
        let export_id = status.rsplit('/').next().unwrap();
        let n: i64 = manifest["output"][0]["url"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let raw = app
            .store
            .backend()
            .export_file(&app.tenant_a.tenant, export_id, n)
            .await
            .unwrap()
            .unwrap();
        assert!(
            !raw.content.windows(10).any(|w| w == b"resourceTy"),
            "{b}: plaintext at rest"
        );
        // Practice B can fetch neither the status nor the files.
        let file_url = manifest["output"][0]["url"].as_str().unwrap();
        assert_eq!(
            app.get_as(TENANT_B, file_url).await.status,
            StatusCode::NOT_FOUND,
            "{b}"
        );

        // Practice B's own export holds only its own patient.
        let status_b = kick_off(&app, TENANT_B, "$export?_type=Patient").await;
        let (_, files_b) = finish(&app, TENANT_B, &status_b).await;
        assert_eq!(ids_of(&files_b, "Patient"), set(&[other_id]), "{b}");
        assert_eq!(files_b.len(), 1);

        // The reads and the download are audited.
        app.store.flush_audit().await;
        let audit = app
            .store
            .backend()
            .audit_rows(&app.tenant_a.tenant, 0, 10_000)
            .await
            .unwrap();
        let actions: HashSet<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        for a in ["export-start", "search", "export-download"] {
            assert!(
                actions.contains(a),
                "{b}: no '{a}' audit event in {actions:?}"
            );
        }

        // DELETE removes the export and its files.
        let r = send(app.request(Method::DELETE, &status)).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{b}: {r:?}");
        assert_eq!(app.get(&status).await.status, StatusCode::NOT_FOUND, "{b}");
        assert_eq!(app.get(file_url).await.status, StatusCode::NOT_FOUND, "{b}");
        assert!(
            app.store
                .backend()
                .export_file(&app.tenant_a.tenant, export_id, n)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn type_since_patient_and_group_levels_filter_the_output() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let b = app.backend;
        let p1 = app
            .create_id("Patient", &patient("Gruppo", "Uno", "1970-01-01", "g1"))
            .await;
        let p2 = app
            .create_id("Patient", &patient("Fuori", "Due", "1971-01-01", "g2"))
            .await;
        let o1 = app
            .create_id(
                "Observation",
                &observation(&p1, LOINC, HEART_RATE, "2024-01-01"),
            )
            .await;
        app.create_id(
            "Observation",
            &observation(&p2, LOINC, HEART_RATE, "2024-01-01"),
        )
        .await;
        app.create_id(
            "Practitioner",
            &json!({"resourceType": "Practitioner", "name": [{"family": "Medico"}]}),
        )
        .await;
        let group = app
            .create_id(
                "Group",
                &json!({"resourceType": "Group", "type": "person", "actual": true,
            "member": [{"entity": {"reference": format!("Patient/{p1}")}}]}),
            )
            .await;

        let s = kick_off(&app, TENANT_A, "$export?_type=Observation").await;
        let (_, files) = finish(&app, TENANT_A, &s).await;
        assert!(files.iter().all(|(t, _)| t == "Observation"), "{b}");
        assert_eq!(ids_of(&files, "Observation").len(), 2);

        let s = kick_off(&app, TENANT_A, "$export?_since=2999-01-01T00:00:00Z").await;
        let (manifest, _) = finish(&app, TENANT_A, &s).await;
        assert_eq!(manifest["output"], json!([]), "{b}: nothing changed since");

        let s = kick_off(&app, TENANT_A, "Patient/$export").await;
        let (_, files) = finish(&app, TENANT_A, &s).await;
        assert!(
            ids_of(&files, "Practitioner").is_empty(),
            "{b}: outside every compartment"
        );
        assert_eq!(ids_of(&files, "Patient").len(), 2, "{b}");

        let s = kick_off(&app, TENANT_A, &format!("Group/{group}/$export")).await;
        let (_, files) = finish(&app, TENANT_A, &s).await;
        assert_eq!(
            ids_of(&files, "Patient"),
            set(std::slice::from_ref(&p1)),
            "{b}"
        );
        assert_eq!(
            ids_of(&files, "Observation"),
            set(std::slice::from_ref(&o1)),
            "{b}"
        );

        let r = send(
            app.request(Method::GET, "Group/nope/$export")
                .header("Prefer", "respond-async"),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
        let r = send(
            app.request(Method::GET, "$export?_type=Nonsense")
                .header("Prefer", "respond-async"),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
    }
}
