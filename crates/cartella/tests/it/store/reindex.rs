//! Reindex: index rows rebuilt from the stored content, per practice, without new versions.

use crate::support::*;
use cartella_store::store::{IndexRules, WriteOptions};
use cartella_store::{AccessContext, IndexRows, Store, TokenRow, WriteOp};
use serde_json::{Value, json};

fn obs(patient: &str, code: &str) -> Value {
    json!({"resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": format!("Patient/{patient}")},
        "effectiveDateTime": "2024-05-06"})
}

async fn count(store: &Store, ctx: &AccessContext, rtype: &str, params: &[(&str, &str)]) -> usize {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    store
        .search(ctx, rtype, &params)
        .await
        .unwrap()
        .resources
        .len()
}

#[tokio::test]
async fn reindex_rebuilds_lost_index_rows_of_one_practice() {
    for w in worlds().await {
        let name = w.name;
        let (store, a) = store_with_tenant(&w, "reindex-a").await;
        let b = tenant(&store, "reindex-b").await;
        let rossi = create_resource(
            &store,
            &a,
            json!({"resourceType": "Patient", "name": [{"family": "Rossi"}]}),
        )
        .await;
        let erased = create_resource(
            &store,
            &a,
            json!({"resourceType": "Patient", "name": [{"family": "Gone"}]}),
        )
        .await;
        for body in [
            obs(&rossi, "8867-4"),
            obs(&rossi, "8867-4"),
            obs(&erased, "8867-4"),
        ] {
            create_resource(&store, &a, body).await;
        }
        let dropped = create_resource(&store, &a, obs(&rossi, "8867-4")).await;
        store.delete(&a, "Observation", &dropped).await.unwrap();
        let other = create_resource(
            &store,
            &b,
            json!({"resourceType": "Patient", "name": [{"family": "Rossi"}]}),
        )
        .await;
        create_resource(&store, &b, obs(&other, "8867-4")).await;
        store.erase_patient(&a, &erased).await.unwrap();
        let by_code = [("code", "http://loinc.org|8867-4")];
        let by_name = [("family", "rossi")];
        assert_eq!(
            count(&store, &a, "Observation", &by_code).await,
            2,
            "{name}"
        );

        // Lost index rows (blind names, tokens, references), in both practices.
        raw_sql(
            &w,
            "DELETE FROM idx_token; DELETE FROM idx_blind; DELETE FROM idx_ref;",
        )
        .await;
        assert_eq!(
            count(&store, &a, "Observation", &by_code).await,
            0,
            "{name}"
        );
        assert_eq!(count(&store, &a, "Patient", &by_name).await, 0, "{name}");

        let report = store.reindex(&a).await.unwrap();
        // Rossi and two Observations; the erased patient's two resources cannot be read.
        assert_eq!(
            (report.resources, report.erased),
            (3, 2),
            "{name}: {report:?}"
        );
        assert_eq!(
            count(&store, &a, "Observation", &by_code).await,
            2,
            "{name}"
        );
        assert_eq!(count(&store, &a, "Patient", &by_name).await, 1, "{name}");
        let subject = format!("Patient/{rossi}");
        assert_eq!(
            count(&store, &a, "Observation", &[("subject", subject.as_str())]).await,
            2,
            "{name}: references"
        );
        // No new versions; the other practice is left as it was until its own reindex.
        let current = store.read(&a, "Patient", &rossi).await.unwrap();
        assert_eq!(current.version, 1, "{name}");
        assert_eq!(
            count(&store, &b, "Observation", &by_code).await,
            0,
            "{name}"
        );
        assert_eq!(store.reindex(&b).await.unwrap().resources, 2, "{name}");
        assert_eq!(
            count(&store, &b, "Observation", &by_code).await,
            1,
            "{name}"
        );
        assert_eq!(count(&store, &b, "Patient", &by_name).await, 1, "{name}");

        // Audited, and the chains still verify.
        let report = store.verify_audit().await.unwrap();
        assert!(
            report.tenants.iter().all(|t| t.broken.is_none()),
            "{name}: {report:?}"
        );
    }
}

/// A reindex batch read before a write must not replace the index that write gave the newer
/// version.
#[tokio::test]
async fn a_stale_reindex_leaves_the_newer_version_indexed() {
    for w in worlds().await {
        let name = w.name;
        let (store, ctx) = store_with_tenant(&w, "reindex-stale").await;
        let id = create_resource(&store, &ctx, obs("p1", "8867-4")).await;
        let read_before = w
            .backend
            .current(&ctx.tenant, "Observation", &id)
            .await
            .unwrap()
            .unwrap();
        let mut newer = obs("p1", "8480-6");
        newer["id"] = json!(id);
        store
            .update(&ctx, "Observation", &id, newer, WriteOptions::default())
            .await
            .unwrap();
        let mut index = IndexRows::default();
        index.tokens.push(TokenRow {
            param: "code",
            system: "http://loinc.org".into(),
            code: "8867-4".into(),
        });
        let stale = WriteOp {
            tenant: ctx.tenant.clone(),
            rtype: read_before.rtype.clone(),
            id: id.clone(),
            prev_version: Some(read_before.version),
            version: read_before.version,
            last_updated: read_before.last_updated,
            deleted: false,
            key_id: read_before.key_id.clone(),
            patient_id: read_before.patient.clone(),
            content: read_before.content.clone(),
            index,
            bookings: None,
        };
        let replaced = w
            .backend
            .reindex(vec![(read_before.row_id, stale)])
            .await
            .unwrap();
        assert_eq!(replaced, 0, "{name}");
        let by = |code: &'static str| [("code", code)];
        assert_eq!(
            count(&store, &ctx, "Observation", &by("8480-6")).await,
            1,
            "{name}"
        );
        assert_eq!(
            count(&store, &ctx, "Observation", &by("8867-4")).await,
            0,
            "{name}"
        );
    }
}

/// A database indexed by a binary with other rules asks for a reindex until one is recorded.
#[tokio::test]
async fn an_index_built_with_other_rules_is_reported_until_reindexed() {
    for w in worlds().await {
        let name = w.name;
        let (store, _) = store_with_tenant(&w, "reindex-rules").await;
        // A database without a fingerprint is taken as current, and recorded.
        assert_eq!(
            store.index_rules().await.unwrap(),
            IndexRules::Current,
            "{name}"
        );
        assert!(
            w.backend.get_meta("index_rules").await.unwrap().is_some(),
            "{name}"
        );
        // As an older binary would have left it.
        w.backend
            .put_meta("index_rules", b"older-rules")
            .await
            .unwrap();
        match store.index_rules().await.unwrap() {
            IndexRules::Changed { stored, current } => {
                assert_eq!(stored, "older-rules", "{name}");
                assert_ne!(current, stored, "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
        store.mark_index_current().await.unwrap();
        assert_eq!(
            store.index_rules().await.unwrap(),
            IndexRules::Current,
            "{name}"
        );
    }
}
