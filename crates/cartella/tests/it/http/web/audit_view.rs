//! The audit view: an administrator sees who read and changed a patient's record, filtered,
//! and exports it as CSV; looking at it is itself audited.

use super::*;

#[tokio::test]
async fn the_access_report_lists_who_opened_the_record() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        staff(&app, "admin@a.example", "administrator").await;
        staff(&app, "nurse@a.example", "nurse").await;
        let mut admin = Browser::new(&app);
        admin.sign_in("admin@a.example").await;
        let id = register(&mut admin, "Marino", "Luisa", "1972-12-12").await;
        let other = register(&mut admin, "Other", "Person", "1972-12-13").await;
        let mut nurse = Browser::new(&app);
        nurse.sign_in("nurse@a.example").await;
        nurse.get(&format!("/patients/{id}")).await;
        let r = admin.get(&format!("/admin/audit?patient={id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", app.backend);
        assert!(r.text.contains("Marino, Luisa"), "{}", r.text);
        assert!(
            r.text.contains("Staff nurse"),
            "{}: the nurse's read is listed: {}",
            app.backend,
            r.text
        );
        assert!(
            r.text.contains(&format!("Patient/{id}"))
                && !r.text.contains(&format!("Patient/{other}"))
        );
        // Filter by who.
        let nurse_id = app
            .auth()
            .backend()
            .user_by_email("nurse@a.example")
            .await
            .unwrap()
            .unwrap()
            .id;
        let r = admin.get(&format!("/admin/audit?actor={nurse_id}")).await;
        assert!(
            r.text.contains("Staff nurse") && !r.text.contains("Staff administrator</td>"),
            "{}",
            r.text
        );
        let csv = admin.get(&format!("/admin/audit.csv?patient={id}")).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        assert!(
            csv.header("content-disposition")
                .unwrap()
                .contains(&format!("access-report-{id}.csv"))
        );
        let mut lines = csv.text.lines();
        assert_eq!(
            lines.next(),
            Some("time,actor,actor_id,role,action,resource,patient,outcome,client_ip,purpose")
        );
        assert!(
            csv.text.contains(&format!(
                "Staff nurse,{nurse_id},nurse,read,Patient/{id},{id},success"
            )),
            "{}",
            csv.text
        );
        // Viewing the trail was audited too.
        app.store.flush_audit().await;
        let r = admin.get("/admin/audit?action=audit.read").await;
        assert!(r.text.contains("audit.read"), "{}", r.text);
        let r = admin.get("/admin/audit?from=not-a-date").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
