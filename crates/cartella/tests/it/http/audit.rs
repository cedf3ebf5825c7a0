//! The audit trail of HTTP access: writes and reads are recorded with the actor and the
//! client's address, and the chain verifies.

use super::*;
use crate::support::worlds;

#[tokio::test]
async fn http_access_is_audited_with_actor_and_client_ip() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let id = app
            .create_id(
                "Patient",
                &patient("Tracciato", "Teo", "1988-08-18", "MRN-AUD"),
            )
            .await;
        let r = app.get(&format!("Patient/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {r:?}");
        let (found, _) = app.search_all(TENANT_A, "Patient?name=Tra").await;
        assert_eq!(found, vec![id.clone()], "{name}");

        app.store.flush_audit().await;
        let report = app.store.verify_audit().await.expect("verify audit");
        assert!(report.ok(), "{name}: audit chain broken: {report:?}");

        let rows = app
            .store
            .backend()
            .audit_rows(&app.tenant_a.tenant, 0, 1000)
            .await
            .expect("audit rows");
        let describe = || {
            rows.iter()
                .map(|r| {
                    format!(
                        "{} {:?}/{:?} ip={:?} actor={}",
                        r.action, r.resource_type, r.resource_id, r.client_ip, r.actor
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        for action in ["create", "read", "search"] {
            let row = rows
                .iter()
                .find(|r| r.action == action && r.patient_id.as_deref() == Some(id.as_str()))
                .unwrap_or_else(|| {
                    panic!(
                        "{name}: no '{action}' event for Patient/{id} in:\n{}",
                        describe()
                    )
                });
            assert_eq!(
                row.client_ip.as_deref(),
                Some("127.0.0.1"),
                "{name}: {action} client_ip"
            );
            assert_eq!(row.actor, "service-token", "{name}: {action} actor");
            assert_eq!(row.role, "system", "{name}: {action} role");
            assert_eq!(row.outcome, "success", "{name}: {action} outcome");
        }
        for action in ["create", "read"] {
            let row = rows.iter().find(|r| r.action == action).unwrap();
            assert_eq!(
                row.resource_type.as_deref(),
                Some("Patient"),
                "{name}: {action}"
            );
            assert_eq!(
                row.resource_id.as_deref(),
                Some(id.as_str()),
                "{name}: {action}"
            );
            assert_eq!(row.version, Some(1), "{name}: {action}");
        }

        // Nothing of this reached the other practice's trail.
        let other = app
            .store
            .backend()
            .audit_rows(&app.tenant_b.tenant, 0, 1000)
            .await
            .expect("audit rows");
        assert!(
            other
                .iter()
                .all(|r| r.patient_id.is_none() && r.resource_id.is_none()),
            "{name}: clinic-b's trail mentions clinic-a's access"
        );
    }
}
