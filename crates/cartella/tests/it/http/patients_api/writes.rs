//! Writes: the duplicate warning and stale edits.

use super::*;
use crate::http::rbac::{call, new_user, sign_in};

#[tokio::test]
async fn a_possible_duplicate_is_announced_until_confirmed() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let first = create(&app, &form("De Luca", "Maria Luisa", "1985-12-10", None)).await;
        // Same person typed differently: case, accents, date habit, one given name.
        let again = form("DE LUCA", "maría", "10/12/1985", None);
        let r = call_a(&app, Method::POST, "/patients", Some(&again)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}: {r:?}", app.backend);
        let body = r.json();
        assert_eq!(body["error"]["code"], "CONFLICT");
        assert_eq!(body["error"]["details"]["duplicates"][0]["id"], first["id"]);
        assert_eq!(
            body["error"]["details"]["duplicates"][0]["display_name"],
            "De Luca, Maria Luisa"
        );
        // Another birth date is not a duplicate.
        create(&app, &form("De Luca", "Maria", "1986-12-10", None)).await;
        let mut confirmed = again.clone();
        confirmed["confirm_duplicate"] = json!(true);
        let second = create(&app, &confirmed).await;
        assert_ne!(second["id"], first["id"]);
        let (ids, _) = search_ids(&app, TENANT_A, "q=10.12.1985").await;
        assert_eq!(ids.len(), 2, "{}: both registered", app.backend);
    }
}

#[tokio::test]
async fn a_stale_edit_is_refused_with_who_and_when() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let rec = create(&app, &form("Rossi", "Maria", "1985-12-10", Some(CF))).await;
        let path = format!("/patients/{}", rec["id"].as_str().unwrap());
        new_user(&app, &app.tenant_a, "nurse@a.example", "nurse", None).await;
        let nurse = sign_in(&app, "nurse@a.example").await;
        let mut edit = rec["input"].clone();
        edit["phone"] = json!("+39 333 000 1111");
        edit["version"] = json!(1);
        let r = call(
            &app,
            &nurse,
            Method::PUT,
            &format!("/api/v1{path}"),
            Some(&edit),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {r:?}", app.backend);
        let v2 = r.json()["data"].clone();
        assert_eq!(v2["version"], 2);
        assert_eq!(v2["input"]["phone"], "+39 333 000 1111");
        assert_eq!(v2["input"]["identifiers"][0]["value"], CF, "kept");

        // The service account still edits version 1, by body and by If-Match.
        let mut late = rec["input"].clone();
        late["notes"] = json!("late edit");
        late["version"] = json!(1);
        let r = call_a(&app, Method::PUT, &path, Some(&late)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}: {r:?}", app.backend);
        let details = r.json()["error"]["details"].clone();
        assert_eq!(details["current_version"], 2, "{}", app.backend);
        assert_eq!(
            details["changed_by"], "User nurse@a.example",
            "{}: {details}",
            app.backend
        );
        assert_eq!(details["changed_at"], v2["last_updated"], "{}", app.backend);
        late.as_object_mut().unwrap().remove("version");
        let r = send(
            api(&app, TENANT_A, Method::PUT, &path, Some(&late)).header("If-Match", "W/\"1\""),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}: {r:?}", app.backend);
        let r = call_a(&app, Method::PUT, &path, Some(&late)).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{}: no version: {r:?}",
            app.backend
        );
        let now = call_a(&app, Method::GET, &path, None).await.json();
        assert_eq!(
            now["data"]["version"], 2,
            "{}: nothing written",
            app.backend
        );
        assert_eq!(now["data"]["input"]["notes"], "");
    }
}
