//! Settings, tenants and data keys: slug conflicts, rotation, patient-key races.

use crate::support::*;
use cartella_store::*;

#[tokio::test]
async fn meta_tenants_and_keys() {
    let Some((db, _)) = backend().await else {
        return;
    };
    assert_eq!(db.name(), "postgres");
    db.ping().await.unwrap();
    assert_eq!(db.get_meta("check").await.unwrap(), None);
    db.put_meta("check", b"one").await.unwrap();
    db.put_meta("check", b"two").await.unwrap();
    assert_eq!(db.get_meta("check").await.unwrap(), Some(b"two".to_vec()));

    let t = tenant(&db, "alpha").await;
    let other = cartella_core::TenantId::new();
    let dup = TenantRecord {
        id: other.clone(),
        slug: "alpha".into(),
        name: "x".into(),
        created_at: 6,
    };
    let err = db
        .insert_tenant(
            &dup,
            &tenant_key(&other, "k", 6),
            draft(&other, "tenant.create"),
        )
        .await;
    assert!(
        matches!(&err, Err(StoreError::Conflict(m)) if m.contains("'alpha' is taken")),
        "{err:?}"
    );
    assert_eq!(
        db.list_tenants().await.unwrap().len(),
        1,
        "failed insert left nothing behind"
    );
    assert!(db.audit_rows(&other, 0, 10).await.unwrap().is_empty());

    assert_eq!(
        db.data_key(&t, "tk-1").await.unwrap(),
        Some(tenant_key(&t, "tk-1", 5))
    );
    // Rotation: a newer tenant key becomes the one listed; rewrap changes wrapping and meta at once.
    let mut newer = tenant_key(&t, "tk-2", 50);
    db.write(WriteBatch {
        new_keys: vec![newer.clone()],
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(db.tenant_keys().await.unwrap(), vec![newer.clone()]);
    newer.wrapped = Some(vec![7; 8]);
    newer.wrapping_key_id = "master-2".into();
    db.rewrap_keys(&[newer.clone()], &[("check".into(), b"three".to_vec())])
        .await
        .unwrap();
    assert_eq!(db.data_key(&t, "tk-2").await.unwrap(), Some(newer.clone()));
    assert_eq!(db.get_meta("check").await.unwrap(), Some(b"three".to_vec()));
    let missing = tenant_key(&t, "nope", 1);
    assert!(
        db.rewrap_keys(&[missing], &[("check".into(), b"four".to_vec())])
            .await
            .is_err()
    );
    assert_eq!(
        db.get_meta("check").await.unwrap(),
        Some(b"three".to_vec()),
        "rolled back"
    );

    // Patient keys: one per patient; a second one is the race the store retries.
    let pk = patient_key(&t, "p1");
    db.write(WriteBatch {
        new_keys: vec![pk.clone()],
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(db.patient_key(&t, "p1").await.unwrap(), Some(pk));
    let mut racer = patient_key(&t, "p1");
    racer.key_id = "pk-other".into();
    let err = db
        .write(WriteBatch {
            new_keys: vec![racer],
            ..Default::default()
        })
        .await;
    assert!(matches!(&err, Err(StoreError::KeyRace)), "{err:?}");
}
