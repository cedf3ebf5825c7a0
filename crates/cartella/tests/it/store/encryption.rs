//! Encryption at rest: no plaintext PII in the database, blind-index search, crypto-shredding,
//! key rotation, and refusal of a wrong master key.

use crate::support::*;
use cartella_store::crypto::MasterKey;
use cartella_store::store::WriteOptions;
use cartella_store::{HistoryQuery, Store, StoreError, StoreOptions};
use serde_json::json;

const FAMILY: &str = "Sciacchitano";
const GIVEN: &str = "Ermenegilda";
const BIRTH: &str = "1961-09-17";
const FISCAL: &str = "SCCRNG61P57F205Z";
const PHONE: &str = "+39-347-9912345";
const STREET: &str = "Via Quintino Sella 44";

fn sensitive_patient() -> serde_json::Value {
    json!({"resourceType": "Patient",
        "identifier": [{"system": "http://hl7.it/sid/codiceFiscale", "value": FISCAL}],
        "name": [{"family": FAMILY, "given": [GIVEN]}],
        "telecom": [{"system": "phone", "value": PHONE}],
        "address": [{"line": [STREET], "city": "Milano"}],
        "birthDate": BIRTH, "gender": "female"})
}

#[tokio::test]
async fn no_plaintext_pii_in_the_database() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "privacy").await;
        let id = store
            .create(
                &ctx,
                "Patient",
                sensitive_patient(),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        let obs = json!({"resourceType": "Observation", "status": "final", "code": {"text": "note"},
            "subject": {"reference": format!("Patient/{id}")}, "note": [{"text": format!("{GIVEN} reports pain")}]});
        store
            .create(&ctx, "Observation", obs, WriteOptions::default())
            .await
            .unwrap();
        store.read(&ctx, "Patient", &id).await.unwrap();
        store
            .search(&ctx, "Patient", &[("family".into(), "Sciacch".into())])
            .await
            .unwrap();
        store.flush_audit().await;
        let dump = database_dump(&w).await;
        assert!(dump.len() > 1000, "{}: the dump has content", w.name);
        assert!(
            contains(&dump, &id),
            "{}: sanity: ids are stored in plaintext",
            w.name
        );
        for secret in [FAMILY, GIVEN, BIRTH, FISCAL, PHONE, STREET, "sciacchitano"] {
            assert!(
                !contains(&dump, secret),
                "{}: plaintext '{secret}' found in the database",
                w.name
            );
        }
        // The birth year alone (as a blind index might keep it), as a word: inside hex-printed
        // ciphertext four digits turn up by chance.
        assert!(
            !contains_word(&dump, "1961"),
            "{}: plaintext birth year found in the database",
            w.name
        );
    }
}

#[tokio::test]
async fn blind_index_finds_by_name_prefix_birth_date_and_identifier() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "blind").await;
        let id = store
            .create(
                &ctx,
                "Patient",
                sensitive_patient(),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        let mut other = sensitive_patient();
        other["name"][0]["family"] = json!("Sciascia");
        other["birthDate"] = json!("1990-01-01");
        other["name"][0]["given"] = json!(["Rosa"]);
        other["telecom"][0]["value"] = json!("+39-02-1111");
        other["identifier"][0]["value"] = json!("OTHER123");
        store
            .create(&ctx, "Patient", other, WriteOptions::default())
            .await
            .unwrap();

        let find = |params: Vec<(&str, &str)>| {
            let store = store.clone();
            let ctx = ctx.clone();
            let params: Vec<(String, String)> = params
                .into_iter()
                .map(|(a, b)| (a.into(), b.into()))
                .collect();
            async move {
                let page = store.search(&ctx, "Patient", &params).await.unwrap();
                let mut ids: Vec<String> = page.resources.into_iter().map(|r| r.id).collect();
                ids.sort();
                ids
            }
        };
        assert_eq!(
            find(vec![("family", "SCIACCH")]).await,
            vec![id.clone()],
            "{}: prefix, case-insensitive",
            w.name
        );
        assert_eq!(
            find(vec![("family", "sci")]).await.len(),
            2,
            "{}: 3-letter prefix matches both",
            w.name
        );
        assert_eq!(
            find(vec![("name", "ermenegil")]).await,
            vec![id.clone()],
            "{}: given name via name",
            w.name
        );
        assert_eq!(
            find(vec![("name", "Sciacchitanos")]).await,
            Vec::<String>::new(),
            "{}: longer prefix post-filtered",
            w.name
        );
        assert_eq!(
            find(vec![("family:exact", "sciacchitano")]).await,
            vec![id.clone()]
        );
        assert_eq!(
            find(vec![("birthdate", BIRTH)]).await,
            vec![id.clone()],
            "{}: birth date exact",
            w.name
        );
        assert_eq!(
            find(vec![("birthdate", "1961")]).await,
            vec![id.clone()],
            "{}: birth year",
            w.name
        );
        assert_eq!(
            find(vec![("identifier", FISCAL)]).await,
            vec![id.clone()],
            "{}: identifier value",
            w.name
        );
        assert_eq!(
            find(vec![(
                "identifier",
                &format!("http://hl7.it/sid/codiceFiscale|{FISCAL}")
            )])
            .await,
            vec![id.clone()],
            "{}: system|value",
            w.name
        );
        assert_eq!(
            find(vec![("identifier", &format!("urn:other|{FISCAL}"))]).await,
            Vec::<String>::new()
        );
        assert_eq!(find(vec![("phone", PHONE)]).await, vec![id.clone()]);
        assert_eq!(find(vec![("address-city", "mil")]).await.len(), 2);
        assert_eq!(
            find(vec![("family", "sci"), ("birthdate", "1990-01-01")])
                .await
                .len(),
            1,
            "{}: clauses AND",
            w.name
        );
    }
}

#[tokio::test]
async fn erasure_shreds_one_patient_and_spares_the_others() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "erase").await;
        let gone = store
            .create(
                &ctx,
                "Patient",
                sensitive_patient(),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        let kept = store
            .create(
                &ctx,
                "Patient",
                json!({"resourceType": "Patient", "name": [{"family": "Sciarra"}]}),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        let obs = |p: &str| json!({"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]}, "subject": {"reference": format!("Patient/{p}")}});
        let gone_obs = store
            .create(&ctx, "Observation", obs(&gone), WriteOptions::default())
            .await
            .unwrap()
            .resource
            .id;
        store
            .create(&ctx, "Observation", obs(&kept), WriteOptions::default())
            .await
            .unwrap();
        let mut v2 = sensitive_patient();
        v2["id"] = json!(gone);
        store
            .update(&ctx, "Patient", &gone, v2, WriteOptions::default())
            .await
            .unwrap();

        let report = store.erase_patient(&ctx, &gone).await.unwrap();
        assert_eq!(report.resources, 2, "{}: patient + observation", w.name);
        assert!(
            report.index_rows > 5,
            "{}: index rows removed: {report:?}",
            w.name
        );

        assert!(
            matches!(
                store.read(&ctx, "Patient", &gone).await,
                Err(StoreError::Erased(_))
            ),
            "{}",
            w.name
        );
        assert!(matches!(
            store.read(&ctx, "Observation", &gone_obs).await,
            Err(StoreError::Erased(_))
        ));
        assert!(matches!(
            store.vread(&ctx, "Patient", &gone, 1).await,
            Err(StoreError::Erased(_))
        ));
        let history = store
            .history(
                &ctx,
                HistoryQuery {
                    tenant: ctx.tenant.clone(),
                    rtype: Some("Patient".into()),
                    id: Some(gone.clone()),
                    since: None,
                    before_row: None,
                    limit: 10,
                },
            )
            .await
            .unwrap();
        assert_eq!(history.len(), 2);
        assert!(
            history.iter().all(|h| h.erased && h.json.is_none()),
            "{}: history reported as erased",
            w.name
        );
        let found = store
            .search(&ctx, "Patient", &[("family".into(), "sci".into())])
            .await
            .unwrap();
        assert_eq!(
            found
                .resources
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>(),
            vec![kept.clone()],
            "{}",
            w.name
        );
        let by_code = store
            .search(&ctx, "Observation", &[("code".into(), "8867-4".into())])
            .await
            .unwrap();
        assert_eq!(
            by_code.resources.len(),
            1,
            "{}: the erased patient's observation left the index",
            w.name
        );
        assert!(
            store.read(&ctx, "Patient", &kept).await.is_ok(),
            "{}: others unaffected",
            w.name
        );

        // A fresh store (no key cache) cannot read the erased patient either, and refuses new data for them.
        let fresh = Store::open(
            w.backend.clone(),
            store.keyring().master(),
            StoreOptions::default(),
        )
        .await
        .unwrap();
        assert!(matches!(
            fresh.read(&ctx, "Patient", &gone).await,
            Err(StoreError::Erased(_))
        ));
        let write = fresh
            .create(&ctx, "Observation", obs(&gone), WriteOptions::default())
            .await;
        assert!(
            matches!(write, Err(StoreError::Erased(_))),
            "{}: {write:?}",
            w.name
        );
        let dump = database_dump(&w).await;
        assert!(!contains(&dump, FAMILY), "{}", w.name);
    }
}

#[tokio::test]
async fn master_key_rotation_rewraps_and_old_key_stops_working() {
    for w in worlds().await {
        let old = MasterKey::generate();
        let store = open_store(&w, &old).await;
        let ctx = tenant(&store, "rotate").await;
        let id = store
            .create(
                &ctx,
                "Patient",
                sensitive_patient(),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        let new = MasterKey::generate();
        assert_eq!(store.rotate_master_key(new.clone()).await.unwrap(), 1);
        store.flush_audit().await;

        let reopened = Store::open(w.backend.clone(), new.clone(), StoreOptions::default())
            .await
            .unwrap();
        assert!(
            reopened.read(&ctx, "Patient", &id).await.is_ok(),
            "{}: new key opens the data",
            w.name
        );
        assert!(
            reopened.verify_audit().await.unwrap().ok(),
            "{}: the chain survives rotation",
            w.name
        );
        let refused = Store::open(w.backend.clone(), old, StoreOptions::default()).await;
        assert!(
            matches!(refused, Err(StoreError::WrongMasterKey { .. })),
            "{}: old key refused",
            w.name
        );
    }
}

#[tokio::test]
async fn wrong_master_key_is_a_clear_error() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "wrongkey").await;
        store
            .create(
                &ctx,
                "Patient",
                sensitive_patient(),
                WriteOptions::default(),
            )
            .await
            .unwrap();
        let err = Store::open(
            w.backend.clone(),
            MasterKey::generate(),
            StoreOptions::default(),
        )
        .await
        .err()
        .expect("refused");
        let text = err.to_string();
        assert!(
            text.contains("master key does not match"),
            "{}: {text}",
            w.name
        );
        assert!(
            text.contains(store.keyring().master().id()),
            "{}: names the expected key id: {text}",
            w.name
        );
    }
}

#[tokio::test]
async fn a_row_copied_to_another_resource_does_not_decrypt() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "aad").await;
        let a = store
            .create(
                &ctx,
                "Patient",
                sensitive_patient(),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        let b = store
            .create(
                &ctx,
                "Patient",
                json!({"resourceType": "Patient", "name": [{"family": "Other"}]}),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        // Copy A's ciphertext and key id over B's row: the associated data no longer matches.
        raw_sql(
            &w,
            &format!(
                "UPDATE resources SET content = (SELECT content FROM resources WHERE id = '{a}'), key_id = (SELECT key_id FROM resources WHERE id = '{a}') WHERE id = '{b}'"
            ),
        )
        .await;
        let fresh = Store::open(
            w.backend.clone(),
            store.keyring().master(),
            StoreOptions::default(),
        )
        .await
        .unwrap();
        let err = fresh
            .read(&ctx, "Patient", &b)
            .await
            .expect_err("must not decrypt");
        assert!(
            matches!(err, StoreError::Corrupted(_)),
            "{}: {err:?}",
            w.name
        );
        assert!(fresh.read(&ctx, "Patient", &a).await.is_ok());
    }
}
