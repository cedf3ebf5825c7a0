//! Tenant isolation: no read, search, history or erasure of tenant A touches tenant B.

use crate::support::*;
use cartella_store::store::WriteOptions;
use cartella_store::{HistoryQuery, StoreError};
use serde_json::json;

#[tokio::test]
async fn tenant_a_never_sees_tenant_b() {
    for w in worlds().await {
        let (store, a) = store_with_tenant(&w, "alpha").await;
        let b = tenant(&store, "beta").await;
        let pa = json!({"resourceType": "Patient", "name": [{"family": "Shared"}], "birthDate": "1980-01-01", "identifier": [{"value": "X1"}]});
        let id_a = store
            .create(&a, "Patient", pa.clone(), WriteOptions::default())
            .await
            .unwrap()
            .resource
            .id;
        let id_b = store
            .create(&b, "Patient", pa, WriteOptions::default())
            .await
            .unwrap()
            .resource
            .id;
        let obs = json!({"resourceType": "Observation", "status": "final", "code": {"coding": [{"code": "1"}]}, "subject": {"reference": format!("Patient/{id_a}")}});
        store
            .create(&a, "Observation", obs, WriteOptions::default())
            .await
            .unwrap();

        assert!(
            matches!(
                store.read(&b, "Patient", &id_a).await,
                Err(StoreError::NotFound(_))
            ),
            "{}",
            w.name
        );
        assert!(matches!(
            store.vread(&b, "Patient", &id_a, 1).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.delete(&b, "Patient", &id_a).await,
            Err(StoreError::NotFound(_))
        ));
        for params in [
            vec![("family", "shared")],
            vec![("birthdate", "1980-01-01")],
            vec![("identifier", "X1")],
            vec![("_id", id_a.as_str())],
        ] {
            let params: Vec<(String, String)> = params
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let found: Vec<String> = store
                .search(&b, "Patient", &params)
                .await
                .unwrap()
                .resources
                .into_iter()
                .map(|r| r.id)
                .collect();
            assert!(
                !found.contains(&id_a),
                "{}: search {params:?} leaked tenant A",
                w.name
            );
        }
        let obs_b = store
            .search(
                &b,
                "Observation",
                &[("patient".into(), format!("Patient/{id_a}"))],
            )
            .await
            .unwrap();
        assert!(obs_b.resources.is_empty(), "{}", w.name);
        let all = HistoryQuery {
            tenant: b.tenant.clone(),
            rtype: None,
            id: None,
            since: None,
            before_row: None,
            limit: 100,
        };
        let hist = store.history(&b, all).await.unwrap();
        assert_eq!(
            hist.iter().map(|h| h.id.clone()).collect::<Vec<_>>(),
            vec![id_b.clone()],
            "{}: system history",
            w.name
        );
        let inst = HistoryQuery {
            tenant: a.tenant.clone(),
            rtype: Some("Patient".into()),
            id: Some(id_a.clone()),
            since: None,
            before_row: None,
            limit: 10,
        };
        // The tenant in the query is replaced by the caller's: B asking for A's instance sees nothing.
        assert!(
            store.history(&b, inst).await.unwrap().is_empty(),
            "{}: instance history",
            w.name
        );

        // Erasing "the same" patient id in B leaves A's patient readable.
        store.erase_patient(&b, &id_a).await.unwrap();
        assert!(store.read(&a, "Patient", &id_a).await.is_ok(), "{}", w.name);
        store.flush_audit().await;
        assert!(store.verify_audit().await.unwrap().ok());
        let b_rows = store.backend().audit_rows(&b.tenant, 0, 100).await.unwrap();
        assert!(b_rows.iter().all(|r| r.tenant == b.tenant));
    }
}

#[tokio::test]
async fn slugs_are_unique_and_validated() {
    for w in worlds().await {
        let (store, _) = store_with_tenant(&w, "unique").await;
        let slug = cartella_core::TenantSlug::parse("unique").unwrap();
        let err = store
            .create_tenant(&slug, "Again", "test")
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{}: {err:?}",
            w.name
        );
        assert!(cartella_core::TenantSlug::parse("Not Valid").is_err());
        assert!(
            store
                .create_tenant(
                    &cartella_core::TenantSlug::parse("blank").unwrap(),
                    "  ",
                    "test"
                )
                .await
                .is_err()
        );
    }
}
