//! Index maintenance on update, and patient erasure (crypto-shredding plus index removal).

use crate::support::search::*;
use crate::support::*;
use cartella_store::search::*;
use cartella_store::*;

#[tokio::test]
async fn updates_replace_index_rows_and_erasure_removes_them() {
    let Some((db, url)) = backend().await else {
        return;
    };
    let t = tenant(&db, "alpha").await;
    seed(&db, &t).await;
    let code = |c: &str| {
        plan(
            &t,
            vec![index(
                "code",
                vec![Match::Token {
                    system: None,
                    code: Some(c.into()),
                }],
            )],
        )
    };
    let mut o1 = op(&t, "Observation", "o1", 2, 60);
    o1.patient_id = Some("p1".into());
    o1.index
        .tokens
        .push(token("code", "http://loinc.org", "new"));
    // Two versions of one resource in a batch: only the last one's rows remain.
    let mut o2a = op(&t, "Observation", "o2", 2, 61);
    o2a.index.tokens.push(token("code", "", "first"));
    let mut o2b = op(&t, "Observation", "o2", 3, 62);
    o2b.patient_id = Some("p1".into());
    o2b.index.tokens.push(token("code", "", "second"));
    db.write(batch(vec![o1, o2a, o2b])).await.unwrap();
    assert_eq!(ids(&db, &code("8867-4")).await, ["o3"]);
    assert_eq!(ids(&db, &code("new")).await, ["o1"]);
    assert!(ids(&db, &code("first")).await.is_empty());
    assert_eq!(ids(&db, &code("second")).await, ["o2"]);

    let report = db
        .erase_patient(&t, "p1", 900, draft(&t, "patient.erase"))
        .await
        .unwrap();
    // o1, o2 (one token each now) and the deleted o5 (seven rows).
    assert_eq!(
        report,
        ErasureReport {
            resources: 3,
            index_rows: 1 + 1 + 7
        }
    );
    let key = db.patient_key(&t, "p1").await.unwrap().unwrap();
    assert_eq!(
        (
            key.key_id.as_str(),
            key.wrapped,
            key.destroyed_at,
            key.created_at
        ),
        ("erased-p1", None, Some(900), 900)
    );
    assert!(ids(&db, &code("new")).await.is_empty());
    let left = raw(&url)
        .await
        .query_one("SELECT count(*) FROM idx_token", &[])
        .await
        .unwrap();
    assert_eq!(
        left.get::<_, i64>(0),
        2 + 2 + 1,
        "p2's two observations and the Patient remain"
    );
    assert_eq!(
        verified_audit(&db, &t).await.last().unwrap().action,
        "patient.erase"
    );

    // A patient with a key: the key is kept, its bytes dropped.
    db.write(WriteBatch {
        new_keys: vec![patient_key(&t, "p2")],
        ..Default::default()
    })
    .await
    .unwrap();
    let report = db
        .erase_patient(&t, "p2", 950, draft(&t, "patient.erase"))
        .await
        .unwrap();
    assert_eq!(
        report,
        ErasureReport {
            resources: 2,
            index_rows: 14
        }
    );
    let key = db.patient_key(&t, "p2").await.unwrap().unwrap();
    assert_eq!(
        (
            key.key_id.as_str(),
            key.wrapped.as_deref(),
            key.destroyed_at
        ),
        ("pk-p2", None, Some(950))
    );
    assert_eq!(db.data_key(&t, "pk-p2").await.unwrap(), Some(key));
}
