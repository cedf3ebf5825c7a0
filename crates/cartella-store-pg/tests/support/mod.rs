//! Shared helpers for the PostgreSQL backend tests: a fresh database per test, and hand-built
//! tenants, resources and audit drafts (content is arbitrary bytes; the backend never decrypts).

#![allow(dead_code)]

pub mod identity;
pub mod search;

use cartella_core::TenantId;
use cartella_store::*;
use cartella_store_pg::{PgBackend, testing};
use std::sync::Arc;

pub const MAC_KEY: [u8; 32] = [42u8; 32];

pub fn admin_url() -> String {
    std::env::var("CARTELLA_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1/test".to_owned())
}

/// Whether PostgreSQL can be reached; if not, explains why the test is skipped (or panics on CI).
pub async fn reachable() -> bool {
    match tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls).await {
        Ok(_) => true,
        Err(e) => {
            let reason = format!("PostgreSQL at {} is unreachable: {e}", admin_url());
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{reason}");
            }
            eprintln!("skipping test: {reason}");
            false
        }
    }
}

/// A backend on a fresh, migrated database; `None` (test skipped) without PostgreSQL.
pub async fn backend() -> Option<(PgBackend, String)> {
    if !reachable().await {
        return None;
    }
    let url = testing::fresh_database(&admin_url())
        .await
        .expect("fresh database");
    let db = PgBackend::connect(&url, 4).await.expect("connect");
    Some((db, url))
}

/// A plain connection for poking at the database behind the backend's back.
pub async fn raw(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
}

pub fn draft(tenant: &TenantId, action: &str) -> AuditDraft {
    AuditDraft {
        tenant: tenant.clone(),
        at: 1_700_000_000_000_000,
        actor: "dr-house".into(),
        role: "doctor".into(),
        action: action.into(),
        resource_type: Some("Patient".into()),
        resource_id: Some("p1".into()),
        version: Some(1),
        patient_id: Some("p1".into()),
        purpose: None,
        outcome: "success".into(),
        client_ip: Some("127.0.0.1".into()),
        user_agent: None,
        details: Some("{\"n\":1}".into()),
        mac_key: Arc::new(MAC_KEY),
    }
}

pub fn tenant_key(tenant: &TenantId, key_id: &str, created_at: i64) -> DataKeyRecord {
    DataKeyRecord {
        tenant: tenant.clone(),
        key_id: key_id.into(),
        kind: KeyKind::Tenant,
        patient_id: None,
        wrapped: Some(vec![1, 2, 3]),
        wrapping_key_id: "master-1".into(),
        created_at,
        destroyed_at: None,
    }
}

pub fn patient_key(tenant: &TenantId, patient_id: &str) -> DataKeyRecord {
    DataKeyRecord {
        tenant: tenant.clone(),
        key_id: format!("pk-{patient_id}"),
        kind: KeyKind::Patient,
        patient_id: Some(patient_id.into()),
        wrapped: Some(vec![9; 40]),
        wrapping_key_id: "tk-1".into(),
        created_at: 10,
        destroyed_at: None,
    }
}

/// Creates a tenant with slug `slug` and key `tk-1`.
pub async fn tenant(db: &PgBackend, slug: &str) -> TenantId {
    let id = TenantId::new();
    let record = TenantRecord {
        id: id.clone(),
        slug: slug.into(),
        name: format!("Practice {slug}"),
        created_at: 5,
    };
    db.insert_tenant(
        &record,
        &tenant_key(&id, "tk-1", 5),
        draft(&id, "tenant.create"),
    )
    .await
    .expect("insert tenant");
    id
}

/// A write of `rtype/id` at `version` (previous version `version - 1`, none for 1).
pub fn op(tenant: &TenantId, rtype: &str, id: &str, version: i64, last_updated: i64) -> WriteOp {
    WriteOp {
        tenant: tenant.clone(),
        rtype: rtype.into(),
        id: id.into(),
        prev_version: (version > 1).then_some(version - 1),
        version,
        last_updated,
        deleted: false,
        key_id: "tk-1".into(),
        patient_id: None,
        content: format!("{rtype}/{id}/{version}").into_bytes(),
        index: IndexRows::default(),
        bookings: None,
    }
}

pub fn batch(ops: Vec<WriteOp>) -> WriteBatch {
    WriteBatch {
        ops,
        ..Default::default()
    }
}

pub fn token(param: &'static str, system: &str, code: &str) -> TokenRow {
    TokenRow {
        param,
        system: system.into(),
        code: code.into(),
    }
}

/// Every audit row of a tenant, checked against the chain.
pub async fn verified_audit(db: &PgBackend, tenant: &TenantId) -> Vec<AuditRow> {
    let mut rows = Vec::new();
    let mut verifier = audit::ChainVerifier::new(MAC_KEY);
    loop {
        let page = db
            .audit_rows(tenant, verifier.last_seq(), 3)
            .await
            .expect("audit rows");
        if page.is_empty() {
            return rows;
        }
        verifier.feed(&page).expect("intact chain");
        rows.extend(page);
    }
}
