//! Identity fixtures: records with every optional column filled where it matters, so a round
//! trip through the database checks each column.

use cartella_core::TenantId;
use cartella_store::identity::*;

pub fn user(id: &str, email: &str, updated_at: i64) -> UserRecord {
    UserRecord {
        id: id.into(),
        email: email.into(),
        display_name: format!("User {id}"),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        language: Some("it".into()),
        totp_secret: Some(vec![0, 1, 2, 255]),
        totp_enabled: true,
        totp_last_step: Some(57_000_000),
        failed_logins: 2,
        locked_until: Some(77),
        disabled_at: None,
        sessions_valid_after: 3,
        created_at: 1,
        updated_at,
    }
}

/// A user with every optional column empty (an invitee).
pub fn invitee(id: &str, email: &str, updated_at: i64) -> UserRecord {
    UserRecord {
        password_hash: None,
        language: None,
        totp_secret: None,
        totp_enabled: false,
        totp_last_step: None,
        failed_logins: 0,
        locked_until: None,
        ..user(id, email, updated_at)
    }
}

pub fn membership(user_id: &str, tenant: &TenantId, roles: &str) -> MembershipRecord {
    MembershipRecord {
        user_id: user_id.into(),
        tenant: tenant.clone(),
        roles: roles.into(),
        patient_id: None,
        expires_at: None,
        created_at: 10,
    }
}

pub fn session(id: u8, user_id: &str, tenant: &TenantId) -> SessionRecord {
    SessionRecord {
        id_hash: vec![id; 32],
        user_id: user_id.into(),
        tenant: tenant.clone(),
        csrf: format!("csrf-{id}"),
        mfa_done: false,
        created_at: 100,
        last_seen: 100,
        expires_at: 10_000,
        client_ip: Some("192.0.2.1".into()),
        user_agent: Some("test".into()),
        revoked_at: None,
    }
}

pub fn one_time(id: u8, purpose: &str, tenant: Option<&TenantId>, expires_at: i64) -> OneTimeToken {
    OneTimeToken {
        token_hash: vec![id; 32],
        purpose: purpose.into(),
        user_id: Some("u1".into()),
        tenant: tenant.cloned(),
        data: "{\"redirect\":\"/\"}".into(),
        expires_at,
        used_at: None,
    }
}

pub fn refresh(id: u8, family: &str, tenant: &TenantId, expires_at: i64) -> RefreshTokenRecord {
    RefreshTokenRecord {
        token_hash: vec![id; 32],
        family: family.into(),
        client_id: "app".into(),
        user_id: Some("u1".into()),
        tenant: tenant.clone(),
        scopes: "openid patient/*.read".into(),
        patient_id: Some("p1".into()),
        expires_at,
        used_at: None,
        revoked_at: None,
        created_at: 50,
    }
}

pub fn api_client(id: &str, tenant: &TenantId, created_at: i64) -> ApiClientRecord {
    ApiClientRecord {
        id: id.into(),
        tenant: tenant.clone(),
        name: format!("App {id}"),
        secret_hash: Some("$argon2id$secret".into()),
        scopes: "system/*.read".into(),
        redirect_uris: "https://app.example/cb https://app.example/cb2".into(),
        rate_limit: Some(0),
        created_at,
        disabled_at: None,
    }
}

pub fn share(
    id: &str,
    tenant: &TenantId,
    user_id: &str,
    patient: &str,
    expires_at: i64,
) -> ShareRecord {
    ShareRecord {
        id: id.into(),
        tenant: tenant.clone(),
        user_id: user_id.into(),
        patient_id: patient.into(),
        expires_at,
        created_at: 1,
        revoked_at: None,
    }
}
