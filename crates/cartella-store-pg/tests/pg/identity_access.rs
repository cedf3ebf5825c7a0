//! Identity tables, continued: refresh tokens (rotation under concurrent presenters), API
//! clients, shares, practice settings, and the compartment search clause.

use super::identity::race;
use crate::support::identity::*;
use crate::support::search::*;
use crate::support::*;
use cartella_store::identity::*;
use cartella_store::search::*;
use cartella_store::*;

#[tokio::test]
async fn refresh_tokens() {
    let Some((db, url)) = backend().await else {
        return;
    };
    let a = tenant(&db, "alpha").await;
    let t1 = refresh(1, "fam", &a, 1_000);
    db.insert_refresh(&t1).await.unwrap();
    let err = db.insert_refresh(&t1).await;
    assert!(matches!(&err, Err(StoreError::Conflict(_))), "{err:?}");

    let used = RefreshTokenRecord {
        used_at: Some(10),
        ..t1.clone()
    };
    assert_eq!(
        db.use_refresh(&t1.token_hash, 10).await.unwrap(),
        RefreshUse::Fresh(used.clone())
    );
    assert_eq!(
        db.use_refresh(&t1.token_hash, 11).await.unwrap(),
        RefreshUse::Replayed(used.clone())
    );
    assert_eq!(
        db.use_refresh(&[9; 32], 11).await.unwrap(),
        RefreshUse::Invalid
    );
    // Expired and never used: invalid, not a replay, and not marked used.
    let t2 = refresh(2, "fam", &a, 100);
    db.insert_refresh(&t2).await.unwrap();
    assert_eq!(
        db.use_refresh(&t2.token_hash, 100).await.unwrap(),
        RefreshUse::Invalid
    );
    // Revoked and unused: a replay (the family was already cut off).
    let t3 = refresh(3, "fam", &a, 1_000);
    db.insert_refresh(&t3).await.unwrap();
    let revoked = db
        .revoke_refresh(&t3.token_hash, 20)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        revoked,
        RefreshTokenRecord {
            revoked_at: Some(20),
            ..t3.clone()
        }
    );
    assert_eq!(
        db.revoke_refresh(&t3.token_hash, 30)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(20),
        "first revocation kept"
    );
    assert_eq!(
        db.use_refresh(&t3.token_hash, 21).await.unwrap(),
        RefreshUse::Replayed(revoked)
    );
    assert_eq!(db.revoke_refresh(&[9; 32], 30).await.unwrap(), None);

    // Family: t1 (used) and t2 (expired) are live, t3 already revoked; another family untouched.
    let other = refresh(4, "other", &a, 1_000);
    db.insert_refresh(&other).await.unwrap();
    assert_eq!(db.revoke_refresh_family("fam", 40).await.unwrap(), 2);
    assert_eq!(db.revoke_refresh_family("fam", 41).await.unwrap(), 0);
    match db.use_refresh(&t1.token_hash, 42).await.unwrap() {
        RefreshUse::Replayed(r) => assert_eq!((r.used_at, r.revoked_at), (Some(10), Some(40))),
        got => panic!("{got:?}"),
    }
    assert!(matches!(
        db.use_refresh(&other.token_hash, 42).await.unwrap(),
        RefreshUse::Fresh(_)
    ));

    // Eight presentations at once: one rotates, the other seven are replays.
    db.insert_refresh(&refresh(5, "race", &a, 1_000))
        .await
        .unwrap();
    let got = race(&url, 8, |db| async move {
        db.use_refresh(&[5; 32], 50).await.unwrap()
    })
    .await;
    let fresh = got
        .iter()
        .filter(|u| matches!(u, RefreshUse::Fresh(_)))
        .count();
    let replayed = got
        .iter()
        .filter(|u| matches!(u, RefreshUse::Replayed(r) if r.used_at == Some(50)))
        .count();
    assert_eq!((fresh, replayed), (1, 7), "{got:?}");
}

#[tokio::test]
async fn api_clients() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let (a, b) = (tenant(&db, "alpha").await, tenant(&db, "beta").await);
    let c2 = api_client("c2", &a, 20);
    let mut c1 = api_client("c1", &a, 10);
    c1.secret_hash = None;
    c1.rate_limit = None;
    for c in [&c2, &c1, &api_client("c3", &b, 5)] {
        db.insert_client(c).await.unwrap();
    }
    assert_eq!(db.client("c1").await.unwrap(), Some(c1.clone()));
    assert_eq!(db.client("nope").await.unwrap(), None);
    assert_eq!(db.clients(&a).await.unwrap(), [c1.clone(), c2.clone()]);
    let err = db.insert_client(&api_client("c1", &b, 1)).await;
    assert!(matches!(&err, Err(StoreError::Conflict(_))), "{err:?}");
    let ghost = cartella_core::TenantId::new();
    let err = db.insert_client(&api_client("c9", &ghost, 1)).await;
    assert!(matches!(&err, Err(StoreError::NotFound(_))), "{err:?}");

    c1.name = "Renamed".into();
    c1.rate_limit = Some(100);
    c1.disabled_at = Some(30);
    db.update_client(&c1).await.unwrap();
    assert_eq!(db.client("c1").await.unwrap(), Some(c1.clone()));
    // The practice is part of the match: an update cannot move or reach another's client.
    let moved = ApiClientRecord {
        tenant: b.clone(),
        name: "Moved".into(),
        ..c1.clone()
    };
    let err = db.update_client(&moved).await;
    assert!(matches!(&err, Err(StoreError::NotFound(_))), "{err:?}");
    assert_eq!(db.client("c1").await.unwrap(), Some(c1));
    let err = db.update_client(&api_client("nope", &a, 1)).await;
    assert!(matches!(&err, Err(StoreError::NotFound(_))), "{err:?}");
}

#[tokio::test]
async fn shares_and_settings() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let (a, b) = (tenant(&db, "alpha").await, tenant(&db, "beta").await);
    db.insert_user(&user("u1", "u1@example.org", 1), &[])
        .await
        .unwrap();
    db.insert_user(&user("u2", "u2@example.org", 1), &[])
        .await
        .unwrap();
    let mut revoked = share("s4", &a, "u1", "p0", 1_000);
    revoked.revoked_at = Some(50);
    for s in [
        share("s1", &a, "u1", "p2", 1_000),
        share("s2", &a, "u1", "p1", 500),
        share("s3", &a, "u1", "p2", 2_000), // renewed: p2 listed once
        revoked,
        share("s5", &a, "u1", "p3", 100), // expired at the instant asked about below
        share("s6", &b, "u1", "p8", 1_000),
        share("s7", &a, "u2", "p9", 1_000),
    ] {
        db.insert_share(&s).await.unwrap();
    }
    assert_eq!(
        db.shared_patients(&a, "u1", 100).await.unwrap(),
        ["p1", "p2"]
    );
    assert_eq!(
        db.shared_patients(&a, "u1", 99).await.unwrap(),
        ["p1", "p2", "p3"]
    );
    assert_eq!(db.shared_patients(&a, "u1", 500).await.unwrap(), ["p2"]);
    assert_eq!(db.shared_patients(&b, "u1", 100).await.unwrap(), ["p8"]);
    assert!(db.shared_patients(&b, "u2", 100).await.unwrap().is_empty());
    let err = db.insert_share(&share("s1", &a, "u1", "p1", 1)).await;
    assert!(matches!(&err, Err(StoreError::Conflict(_))), "{err:?}");
    let err = db.insert_share(&share("s9", &a, "ghost", "p1", 1)).await;
    assert!(
        matches!(&err, Err(StoreError::NotFound(m)) if m.contains("ghost")),
        "{err:?}"
    );

    assert_eq!(db.tenant_settings(&a).await.unwrap(), "{}");
    db.put_tenant_settings(&a, "{\"mfa\":\"required\"}")
        .await
        .unwrap();
    assert_eq!(
        db.tenant_settings(&a).await.unwrap(),
        "{\"mfa\":\"required\"}"
    );
    assert_eq!(db.tenant_settings(&b).await.unwrap(), "{}");
    let ghost = cartella_core::TenantId::new();
    assert!(matches!(
        db.tenant_settings(&ghost).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        db.put_tenant_settings(&ghost, "{}").await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn compartment_clause() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let t = tenant(&db, "alpha").await;
    seed(&db, &t).await; // o1, o2 in p1; o3, o4 in p2; o5 deleted
    let comp = |ids: &[&str]| Clause::Compartment(ids.iter().map(|s| s.to_string()).collect());
    assert_eq!(ids(&db, &plan(&t, vec![comp(&["p1"])])).await, ["o1", "o2"]);
    assert_eq!(
        ids(&db, &plan(&t, vec![comp(&["p2", "p1"])])).await,
        ["o1", "o2", "o3", "o4"]
    );
    assert!(
        ids(&db, &plan(&t, vec![comp(&[])])).await.is_empty(),
        "empty compartment"
    );
    assert!(
        ids(&db, &plan(&t, vec![comp(&["nobody"])]))
            .await
            .is_empty()
    );
    let code = index(
        "code",
        vec![Match::Token {
            system: None,
            code: Some("8867-4".into()),
        }],
    );
    assert_eq!(ids(&db, &plan(&t, vec![comp(&["p2"]), code])).await, ["o3"]);
    // Resources without a patient (here: the Patient row itself) are outside every compartment.
    let patients = SearchPlan {
        rtype: "Patient".into(),
        ..plan(&t, vec![comp(&["p1", "p2"])])
    };
    assert!(db.search(&patients).await.unwrap().is_empty());
}
