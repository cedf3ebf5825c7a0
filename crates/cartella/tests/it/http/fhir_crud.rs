//! FHIR CRUD over HTTP: create, read, update with If-Match, vread, history, delete,
//! update-as-create and `Prefer: return=minimal`.

use super::*;
use crate::support::worlds;
use serde_json::json;

#[tokio::test]
async fn create_read_update_vread_history_delete() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let mut body = patient("Lombardi", "Giulia", "1980-04-12", "MRN-001");
        body["id"] = json!("client-chosen");

        // Create: 201 with Location, ETag, Last-Modified, a server id and version 1.
        let r = send(app.post("Patient", &body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}: {r:?}");
        let created = r.json();
        let id = created["id"].as_str().expect("id").to_owned();
        assert!(
            !id.is_empty() && id != "client-chosen",
            "{name}: the server assigns the id on create, got {id}"
        );
        assert_eq!(created["meta"]["versionId"], "1", "{name}: {created}");
        assert!(
            created["meta"]["lastUpdated"].is_string(),
            "{name}: {created}"
        );
        assert_eq!(created["name"][0]["family"], "Lombardi", "{name}");
        assert_eq!(r.header("etag"), Some("W/\"1\""), "{name}: ETag");
        let location = r.header("location").unwrap_or_default();
        assert_eq!(
            location,
            format!("{}/fhir/R4/Patient/{id}/_history/1", app.base),
            "{name}: Location"
        );
        let last_modified = r.header("last-modified").unwrap_or_default();
        assert!(
            last_modified.ends_with(" GMT") && last_modified.len() == 29,
            "{name}: Last-Modified '{last_modified}'"
        );
        let ct = r.header("content-type").unwrap_or_default();
        assert!(
            ct.starts_with("application/fhir+json"),
            "{name}: content type {ct}"
        );

        // Read returns what create returned.
        let r = app.get(&format!("Patient/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {r:?}");
        assert_eq!(r.json(), created, "{name}: read differs from create");
        assert_eq!(r.header("etag"), Some("W/\"1\""), "{name}");

        // Update with the right If-Match: 200, version 2.
        let mut changed = created.clone();
        changed["name"][0]["family"] = json!("Moretti");
        let r = send(
            app.put(&format!("Patient/{id}"), &changed)
                .header("If-Match", "W/\"1\""),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{name}: update: {r:?}");
        assert_eq!(r.json()["meta"]["versionId"], "2", "{name}: {r:?}");
        assert_eq!(r.header("etag"), Some("W/\"2\""), "{name}");

        // A stale If-Match: 412, and nothing changes.
        let mut stale = created.clone();
        stale["name"][0]["family"] = json!("Stale");
        let r = send(
            app.put(&format!("Patient/{id}"), &stale)
                .header("If-Match", "W/\"1\""),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::PRECONDITION_FAILED,
            "{name}: stale update: {r:?}"
        );
        assert!(!r.outcome_diagnostics().is_empty(), "{name}: {r:?}");
        let r = app.get(&format!("Patient/{id}")).await;
        let current = r.json();
        assert_eq!(
            current["meta"]["versionId"], "2",
            "{name}: the stale update changed the version"
        );
        assert_eq!(
            current["name"][0]["family"], "Moretti",
            "{name}: the stale update changed the content"
        );

        // vread of version 1 shows the old content.
        let r = app.get(&format!("Patient/{id}/_history/1")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: vread: {r:?}");
        let v1 = r.json();
        assert_eq!(v1["name"][0]["family"], "Lombardi", "{name}: {v1}");
        assert_eq!(v1["meta"]["versionId"], "1", "{name}");
        assert_eq!(r.header("etag"), Some("W/\"1\""), "{name}");
        let r = app.get(&format!("Patient/{id}/_history/9")).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{name}: vread of a missing version: {r:?}"
        );

        // Instance history: two versions, newest first.
        let r = app.get(&format!("Patient/{id}/_history")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: history: {r:?}");
        let bundle = r.json();
        assert_eq!(bundle["type"], "history", "{name}");
        let versions: Vec<Value> = entries(&bundle)
            .iter()
            .map(|e| e["resource"]["meta"]["versionId"].clone())
            .collect();
        assert_eq!(versions, vec![json!("2"), json!("1")], "{name}: {bundle}");
        let etags: Vec<Value> = entries(&bundle)
            .iter()
            .map(|e| e["response"]["etag"].clone())
            .collect();
        assert_eq!(etags, vec![json!("W/\"2\""), json!("W/\"1\"")], "{name}");

        // Search follows the current version: the new name finds it, the old one no longer does.
        let (ids, _) = app.search_all(TENANT_A, "Patient?name=Moretti").await;
        assert_eq!(
            ids,
            std::slice::from_ref(&id),
            "{name}: search by the new name"
        );
        let (ids, _) = app.search_all(TENANT_A, "Patient?name=Lombardi").await;
        assert!(
            ids.is_empty(),
            "{name}: the old name still finds the patient: {ids:?}"
        );

        // Delete: 204, then read is 410 Gone.
        let r = send(app.request(Method::DELETE, &format!("Patient/{id}"))).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{name}: delete: {r:?}");
        assert!(r.text.is_empty(), "{name}: 204 has no body");
        let r = app.get(&format!("Patient/{id}")).await;
        assert_eq!(
            r.status,
            StatusCode::GONE,
            "{name}: read after delete: {r:?}"
        );
        r.outcome_diagnostics();
        let (ids, _) = app.search_all(TENANT_A, "Patient?name=Mor").await;
        assert!(
            ids.is_empty(),
            "{name}: a deleted patient is still found: {ids:?}"
        );
        let r = app.get(&format!("Patient/{id}/_history")).await;
        let deleted = entries(&r.json());
        assert_eq!(deleted.len(), 3, "{name}: history after delete: {r:?}");
        assert_eq!(deleted[0]["request"]["method"], "DELETE", "{name}: {r:?}");
        assert!(
            deleted[0].get("resource").is_none(),
            "{name}: a deletion has no resource"
        );
        let r = app.get("Patient/no-such-patient").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{name}: {r:?}");
        r.outcome_diagnostics();
    }
}

#[tokio::test]
async fn update_as_create_keeps_the_client_id() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let mut body = patient("Conti", "Marco", "1971-11-03", "MRN-UC");
        body["id"] = json!("p-client-1");
        let r = send(app.put("Patient/p-client-1", &body)).await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{name}: update-as-create: {r:?}"
        );
        let created = r.json();
        assert_eq!(created["id"], "p-client-1", "{name}");
        assert_eq!(created["meta"]["versionId"], "1", "{name}");
        assert_eq!(r.header("etag"), Some("W/\"1\""), "{name}");
        assert_eq!(
            r.header("location"),
            Some(format!("{}/fhir/R4/Patient/p-client-1/_history/1", app.base).as_str()),
            "{name}"
        );
        let r = app.get("Patient/p-client-1").await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {r:?}");
        assert_eq!(r.json()["name"][0]["family"], "Conti", "{name}");

        // The same PUT again is an update (200, version 2).
        let r = send(app.put("Patient/p-client-1", &body)).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: second PUT: {r:?}");
        assert_eq!(r.json()["meta"]["versionId"], "2", "{name}");
    }
}

#[tokio::test]
async fn prefer_return_minimal_gives_an_empty_body() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let body = patient("Minimo", "Lia", "2001-02-03", "MRN-MIN");
        let r = send(
            app.post("Patient", &body)
                .header("Prefer", "return=minimal"),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}: {r:?}");
        assert!(
            r.text.is_empty(),
            "{name}: return=minimal must give an empty body, got {:?}",
            r.text
        );
        assert_eq!(r.header("etag"), Some("W/\"1\""), "{name}");
        let location = r.header("location").expect("Location").to_owned();
        let id = location
            .strip_prefix(&format!("{}/fhir/R4/Patient/", app.base))
            .and_then(|rest| rest.strip_suffix("/_history/1"))
            .unwrap_or_else(|| panic!("{name}: unexpected Location {location}"))
            .to_owned();
        let r = app.get(&format!("Patient/{id}")).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{name}: the minimal create was stored: {r:?}"
        );
        assert_eq!(r.json()["name"][0]["family"], "Minimo", "{name}");
    }
}

#[tokio::test]
async fn concurrent_updates_with_the_same_if_match_let_exactly_one_win() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let created = app
            .create("Patient", &patient("Gara", "Ada", "1990-09-09", "MRN-RACE"))
            .await;
        let id = created["id"].as_str().unwrap().to_owned();
        let mut tasks = Vec::new();
        for i in 0..6 {
            let mut body = created.clone();
            body["name"][0]["given"] = json!([format!("Writer{i}")]);
            let req = app
                .put(&format!("Patient/{id}"), &body)
                .header("If-Match", "W/\"1\"");
            tasks.push(tokio::spawn(send(req)));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap().status);
        }
        let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        let lost = statuses
            .iter()
            .filter(|s| **s == StatusCode::PRECONDITION_FAILED)
            .count();
        assert_eq!((won, lost), (1, 5), "{name}: {statuses:?}");
        let r = app.get(&format!("Patient/{id}")).await;
        assert_eq!(r.json()["meta"]["versionId"], "2", "{name}: {r:?}");
        let r = app.get(&format!("Patient/{id}/_history")).await;
        assert_eq!(entries(&r.json()).len(), 2, "{name}: {r:?}");
    }
}
