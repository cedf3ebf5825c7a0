//! Searching the registry: the text box read as name, birth date or identifier; paging and
//! the active filter.

use super::*;

#[tokio::test]
async fn search_reads_the_box_as_name_birth_date_or_identifier_and_pages() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let rossi = create(&app, &form("Rossi", "Maria", "1985-12-10", Some(CF))).await;
        let rossetti = create(&app, &form("Rossetti", "Marco", "1970-01-02", None)).await;
        let muller = create(&app, &form("Müller", "Jürgen", "1962-05-03", None)).await;
        let id = |v: &Value| v["id"].as_str().unwrap().to_owned();

        let (ids, data) = search_ids(&app, TENANT_A, "q=ross").await;
        assert_eq!(
            set(&ids),
            set(&[id(&rossi), id(&rossetti)]),
            "{}",
            app.backend
        );
        assert_eq!(data["kind"], "name");
        let (ids, _) = search_ids(&app, TENANT_A, "q=ross%20mari").await;
        assert_eq!(ids, [id(&rossi)], "{}: every word must match", app.backend);
        let (ids, _) = search_ids(&app, TENANT_A, "q=Rossi%20M").await;
        assert_eq!(ids, [id(&rossi)], "{}: a short word filters", app.backend);
        let (ids, _) = search_ids(&app, TENANT_A, "q=mull").await;
        assert_eq!(ids, [id(&muller)], "{}: accents folded", app.backend);
        for q in ["10/12/1985", "1985-12-10", "10.12.1985"] {
            let (ids, data) = search_ids(&app, TENANT_A, &format!("q={q}")).await;
            assert_eq!(ids, [id(&rossi)], "{}: {q}", app.backend);
            assert_eq!(data["kind"], "birth_date");
        }
        let (ids, data) = search_ids(&app, TENANT_A, "q=rssmra85t10a562s").await;
        assert_eq!(ids, [id(&rossi)], "{}: identifier, any case", app.backend);
        assert_eq!(data["kind"], "identifier");
        let (ids, data) = search_ids(&app, TENANT_A, "q=ro").await;
        assert!(ids.is_empty());
        assert_eq!(data["kind"], "too_short");

        // Paging: one per page, through the cursor, with the total.
        let (page1, data) = search_ids(&app, TENANT_A, "count=2&total=true").await;
        assert_eq!(
            (page1.len(), data["total"].as_u64()),
            (2, Some(3)),
            "{}",
            app.backend
        );
        let cursor = data["next_cursor"]
            .as_str()
            .expect("a next page")
            .to_owned();
        let (page2, data) = search_ids(&app, TENANT_A, &format!("count=2&cursor={cursor}")).await;
        assert_eq!(page2.len(), 1);
        assert!(data["next_cursor"].is_null());
        assert!(set(&page1).is_disjoint(&set(&page2)));

        // The active filter.
        let r = call_a(
            &app,
            Method::POST,
            &format!("/patients/{}/deactivate", id(&rossetti)),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {r:?}", app.backend);
        assert_eq!(r.json()["data"]["summary"]["active"], false);
        let (ids, _) = search_ids(&app, TENANT_A, "q=ross&active=true").await;
        assert_eq!(ids, [id(&rossi)], "{}", app.backend);
        let (ids, _) = search_ids(&app, TENANT_A, "q=ross&active=false").await;
        assert_eq!(ids, [id(&rossetti)], "{}", app.backend);
    }
}
