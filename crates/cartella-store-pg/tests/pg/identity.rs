//! Identity tables: users and memberships, recovery codes, sessions, one-time and refresh tokens
//! (including their atomicity under concurrent consumers), API clients, shares, practice
//! settings, and the compartment search clause built on top of them.

use crate::support::identity::*;
use crate::support::*;
use cartella_store::identity::*;
use cartella_store::*;
use cartella_store_pg::PgBackend;
use std::future::Future;
use std::sync::Arc;

/// Runs `n` copies of `f` at once on their own connections (released together by a barrier)
/// and returns what each got.
pub(crate) async fn race<T, F, Fut>(url: &str, n: usize, f: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(PgBackend) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    // A pool as large as the crowd, so no task waits for a connection instead of the row lock.
    let db = PgBackend::connect(url, n).await.unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (barrier, run) = (barrier.clone(), f(db.clone()));
            tokio::spawn(async move {
                barrier.wait().await;
                run.await
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test]
async fn users_and_memberships() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let (a, b) = (tenant(&db, "alpha").await, tenant(&db, "beta").await);
    let zed = user("u1", "zed@example.org", 10);
    let mut ma = membership("u1", &a, "doctor");
    ma.patient_id = Some("p9".into());
    ma.expires_at = Some(99);
    let mut mb = membership("u1", &b, "admin,doctor");
    mb.created_at = 20;
    db.insert_user(&zed, &[ma.clone(), mb.clone()])
        .await
        .unwrap();
    assert_eq!(db.user_by_id("u1").await.unwrap(), Some(zed.clone()));
    assert_eq!(
        db.user_by_email("zed@example.org").await.unwrap(),
        Some(zed.clone())
    );
    assert_eq!(db.user_by_id("nope").await.unwrap(), None);
    assert_eq!(db.user_by_email("nope@example.org").await.unwrap(), None);
    assert_eq!(
        db.memberships_of("u1").await.unwrap(),
        [ma.clone(), mb.clone()]
    );

    // A taken e-mail is a conflict, and the whole insert (memberships too) is rolled back.
    let err = db
        .insert_user(
            &invitee("u2", "zed@example.org", 10),
            &[membership("u2", &a, "nurse")],
        )
        .await;
    assert!(
        matches!(&err, Err(StoreError::Conflict(m)) if m == "a user with e-mail 'zed@example.org' already exists"),
        "{err:?}"
    );
    // A membership in an unknown practice: NotFound, and the user is not left behind.
    let ghost = cartella_core::TenantId::new();
    let err = db
        .insert_user(
            &invitee("u2", "amy@example.org", 10),
            &[membership("u2", &ghost, "nurse")],
        )
        .await;
    assert!(
        matches!(&err, Err(StoreError::NotFound(m)) if m.contains(ghost.as_str())),
        "{err:?}"
    );
    assert_eq!(db.count_users().await.unwrap(), 1);
    assert!(db.memberships_of("u2").await.unwrap().is_empty());

    let amy = invitee("u2", "amy@example.org", 11);
    db.insert_user(&amy, &[membership("u2", &a, "nurse")])
        .await
        .unwrap();
    db.insert_user(&invitee("u3", "bob@example.org", 12), &[])
        .await
        .unwrap();
    assert_eq!(
        db.user_by_id("u2").await.unwrap(),
        Some(amy.clone()),
        "NULLs round-trip"
    );
    assert_eq!(db.count_users().await.unwrap(), 3);
    let err = db
        .insert_user(&invitee("u3", "other@example.org", 12), &[])
        .await;
    assert!(
        matches!(&err, Err(StoreError::Conflict(_))),
        "same id: {err:?}"
    );

    // Members: only this practice's, by e-mail.
    let members = db.members(&a).await.unwrap();
    let emails: Vec<_> = members.iter().map(|(u, _)| u.email.as_str()).collect();
    assert_eq!(emails, ["amy@example.org", "zed@example.org"]);
    assert_eq!(members[1], (zed.clone(), ma.clone()));
    assert_eq!(db.members(&b).await.unwrap().len(), 1);
    assert!(db.members(&ghost).await.unwrap().is_empty());

    // Upsert: inserts, then replaces every column of the same (user, practice).
    let mut mbob = membership("u3", &b, "external");
    mbob.expires_at = Some(500);
    db.upsert_membership(&mbob).await.unwrap();
    mbob.roles = "doctor".into();
    mbob.expires_at = None;
    mbob.created_at = 30;
    db.upsert_membership(&mbob).await.unwrap();
    assert_eq!(db.memberships_of("u3").await.unwrap(), [mbob]);
    let err = db.upsert_membership(&membership("ghost", &a, "x")).await;
    assert!(
        matches!(&err, Err(StoreError::NotFound(m)) if m.contains("ghost")),
        "{err:?}"
    );

    // Update replaces every column; unknown id and taken e-mail are refused.
    let mut changed = invitee("u1", "zed@example.net", 40);
    changed.display_name = "Zed".into();
    changed.disabled_at = Some(39);
    db.update_user(&changed).await.unwrap();
    assert_eq!(db.user_by_id("u1").await.unwrap(), Some(changed.clone()));
    assert_eq!(db.user_by_email("zed@example.org").await.unwrap(), None);
    let err = db.update_user(&invitee("nope", "n@example.org", 1)).await;
    assert!(matches!(&err, Err(StoreError::NotFound(_))), "{err:?}");
    changed.email = "amy@example.org".into();
    let err = db.update_user(&changed).await;
    assert!(
        matches!(&err, Err(StoreError::Conflict(m)) if m.contains("'amy@example.org'")),
        "{err:?}"
    );
}

#[tokio::test]
async fn users_changed_since() {
    let Some((db, _)) = backend().await else {
        return;
    };
    for (id, at) in [("u3", 30), ("u1", 10), ("u2", 20)] {
        db.insert_user(&invitee(id, &format!("{id}@example.org"), at), &[])
            .await
            .unwrap();
    }
    let ids = |v: Vec<UserInvalidation>| v.into_iter().map(|u| u.user_id).collect::<Vec<_>>();
    assert_eq!(
        ids(db.users_changed_since(0).await.unwrap()),
        ["u1", "u2", "u3"]
    );
    assert_eq!(
        ids(db.users_changed_since(20).await.unwrap()),
        ["u3"],
        "strictly after"
    );
    assert!(db.users_changed_since(30).await.unwrap().is_empty());

    let mut u1 = invitee("u1", "u1@example.org", 50);
    u1.sessions_valid_after = 49;
    u1.disabled_at = Some(48);
    db.update_user(&u1).await.unwrap();
    assert_eq!(
        db.users_changed_since(30).await.unwrap(),
        [UserInvalidation {
            user_id: "u1".into(),
            sessions_valid_after: 49,
            disabled_at: Some(48),
            updated_at: 50,
        }]
    );
}

#[tokio::test]
async fn recovery_codes() {
    let Some((db, url)) = backend().await else {
        return;
    };
    db.insert_user(&user("u1", "u1@example.org", 1), &[])
        .await
        .unwrap();
    let codes: Vec<Vec<u8>> = (1..=3).map(|i| vec![i; 32]).collect();
    db.replace_recovery_codes("u1", &codes).await.unwrap();
    assert_eq!(db.unused_recovery_codes("u1").await.unwrap(), 3);
    assert!(db.use_recovery_code("u1", &codes[0], 5).await.unwrap());
    assert!(
        !db.use_recovery_code("u1", &codes[0], 6).await.unwrap(),
        "used once"
    );
    assert!(
        !db.use_recovery_code("u1", &[9; 32], 6).await.unwrap(),
        "unknown"
    );
    assert!(
        !db.use_recovery_code("u2", &codes[1], 6).await.unwrap(),
        "another user's"
    );
    assert_eq!(db.unused_recovery_codes("u1").await.unwrap(), 2);
    assert_eq!(db.unused_recovery_codes("u2").await.unwrap(), 0);

    // Replacing drops the old set, used or not.
    let fresh = vec![vec![7; 32], vec![8; 32]];
    db.replace_recovery_codes("u1", &fresh).await.unwrap();
    assert_eq!(db.unused_recovery_codes("u1").await.unwrap(), 2);
    assert!(!db.use_recovery_code("u1", &codes[1], 7).await.unwrap());
    let err = db.replace_recovery_codes("ghost", &fresh).await;
    assert!(matches!(&err, Err(StoreError::NotFound(_))), "{err:?}");
    db.replace_recovery_codes("u1", &[]).await.unwrap();
    assert_eq!(db.unused_recovery_codes("u1").await.unwrap(), 0);

    // The same code presented eight times at once is accepted once.
    db.replace_recovery_codes("u1", &fresh).await.unwrap();
    let got = race(&url, 8, |db| async move {
        db.use_recovery_code("u1", &[7; 32], 9).await.unwrap()
    })
    .await;
    assert_eq!(got.iter().filter(|ok| **ok).count(), 1, "{got:?}");
    assert_eq!(db.unused_recovery_codes("u1").await.unwrap(), 1);
}

#[tokio::test]
async fn sessions() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let (a, b) = (tenant(&db, "alpha").await, tenant(&db, "beta").await);
    db.insert_user(&user("u1", "u1@example.org", 1), &[])
        .await
        .unwrap();
    let mut s = session(1, "u1", &a);
    db.insert_session(&s).await.unwrap();
    assert_eq!(db.session(&s.id_hash).await.unwrap(), Some(s.clone()));
    assert_eq!(db.session(&[2; 32]).await.unwrap(), None);
    let err = db.insert_session(&session(2, "ghost", &a)).await;
    assert!(matches!(&err, Err(StoreError::NotFound(_))), "{err:?}");

    // Update: last_seen, mfa_done, tenant, csrf and expiry; nothing else.
    s.last_seen = 200;
    s.mfa_done = true;
    s.tenant = b.clone();
    s.csrf = "rotated".into();
    s.expires_at = 20_000;
    let mut ignored = s.clone();
    ignored.client_ip = Some("203.0.113.9".into());
    ignored.created_at = 1;
    db.update_session(&ignored).await.unwrap();
    assert_eq!(db.session(&s.id_hash).await.unwrap(), Some(s.clone()));
    let err = db.update_session(&session(3, "u1", &a)).await;
    assert!(matches!(&err, Err(StoreError::NotFound(_))), "{err:?}");

    // Revocation keeps its first instant; a later touch does not undo it.
    db.revoke_session(&s.id_hash, 300).await.unwrap();
    db.revoke_session(&s.id_hash, 400).await.unwrap();
    db.revoke_session(&[9; 32], 400).await.unwrap();
    s.last_seen = 500;
    db.update_session(&s).await.unwrap();
    let stored = db.session(&s.id_hash).await.unwrap().unwrap();
    assert_eq!((stored.revoked_at, stored.last_seen), (Some(300), 500));
}

#[tokio::test]
async fn one_time_tokens() {
    let Some((db, url)) = backend().await else {
        return;
    };
    let a = tenant(&db, "alpha").await;
    let reset = one_time(1, "reset", Some(&a), 1_000);
    db.insert_token(&reset).await.unwrap();
    db.insert_token(&one_time(2, "setup", None, 1_000))
        .await
        .unwrap();
    let err = db.insert_token(&reset).await;
    assert!(matches!(&err, Err(StoreError::Conflict(_))), "{err:?}");

    assert_eq!(
        db.consume_token(&reset.token_hash, "oauth_code", 10)
            .await
            .unwrap(),
        None,
        "wrong purpose"
    );
    assert_eq!(
        db.consume_token(&reset.token_hash, "reset", 1_000)
            .await
            .unwrap(),
        None,
        "expired at the instant"
    );
    assert_eq!(
        db.consume_token(&[7; 32], "reset", 10).await.unwrap(),
        None,
        "unknown"
    );
    let used = db
        .consume_token(&reset.token_hash, "reset", 999)
        .await
        .unwrap();
    assert_eq!(
        used,
        Some(OneTimeToken {
            used_at: Some(999),
            ..reset.clone()
        })
    );
    assert_eq!(
        db.consume_token(&reset.token_hash, "reset", 999)
            .await
            .unwrap(),
        None,
        "once"
    );
    let setup = db
        .consume_token(&[2; 32], "setup", 5)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((setup.tenant, setup.used_at), (None, Some(5)));

    // Eight consumers at once: exactly one gets the token.
    db.insert_token(&one_time(3, "oauth_code", Some(&a), 1_000))
        .await
        .unwrap();
    let got = race(&url, 8, |db| async move {
        db.consume_token(&[3; 32], "oauth_code", 10).await.unwrap()
    })
    .await;
    assert_eq!(got.iter().filter(|t| t.is_some()).count(), 1, "{got:?}");
}
