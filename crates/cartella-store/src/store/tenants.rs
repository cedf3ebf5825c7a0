//! Tenants (practices): creation with their first data key, and lookup by slug.

use super::{AccessContext, Store};
use crate::error::{Result, StoreError};
use crate::model::TenantRecord;
use cartella_core::{TenantId, TenantSlug, Timestamp};

/// Slug of the hidden system tenant; real slugs cannot start with '_'.
pub const SYSTEM_SLUG: &str = "_system";

impl Store {
    /// Create a practice and its data key; `actor` is recorded in the tenant's first audit event.
    pub async fn create_tenant(
        &self,
        slug: &TenantSlug,
        name: &str,
        actor: &str,
    ) -> Result<TenantRecord> {
        self.insert_tenant(slug.as_str(), name, actor).await
    }

    /// The hidden practice that holds what belongs to no practice: the audit chain of sign-in
    /// attempts before a practice is chosen, and the key that identity secrets derive from (a
    /// tenant key, so master-key rotation re-wraps it like any other).
    pub async fn system_tenant(&self) -> Result<TenantRecord> {
        match self.tenant_by_slug(SYSTEM_SLUG).await {
            Ok(t) => Ok(t),
            Err(StoreError::NotFound(_)) => match self
                .insert_tenant(SYSTEM_SLUG, "Cartella system", "system")
                .await
            {
                Err(StoreError::Conflict(_)) => self.tenant_by_slug(SYSTEM_SLUG).await,
                other => other,
            },
            Err(e) => Err(e),
        }
    }

    /// A 256-bit key for `label`, derived from the system tenant's data key.
    pub async fn derive_system_key(&self, label: &str) -> Result<[u8; 32]> {
        let t = self.system_tenant().await?;
        let key = self.keys.tenant_key(self.backend.as_ref(), &t.id).await?;
        Ok(crate::crypto::keys::derive(key.secret(), label.as_bytes()))
    }

    async fn insert_tenant(&self, slug: &str, name: &str, actor: &str) -> Result<TenantRecord> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StoreError::Domain(cartella_core::DomainError::Invalid(
                "practice name must be 1-200 characters".into(),
            )));
        }
        let record = TenantRecord {
            id: TenantId::new(),
            slug: slug.to_owned(),
            name: name.to_owned(),
            created_at: Timestamp::now().micros(),
        };
        let (key, key_record) = self.keys.new_tenant_key(&record.id);
        let audit = crate::model::AuditDraft {
            tenant: record.id.clone(),
            at: record.created_at,
            actor: actor.to_owned(),
            role: "system".into(),
            action: "tenant.create".into(),
            resource_type: None,
            resource_id: None,
            version: None,
            patient_id: None,
            purpose: None,
            outcome: "success".into(),
            client_ip: None,
            user_agent: None,
            details: Some(format!(
                "{{\"slug\":{}}}",
                serde_json::Value::from(record.slug.clone())
            )),
            mac_key: key.audit_key(),
        };
        self.backend
            .insert_tenant(&record, &key_record, audit)
            .await?;
        self.keys.remember(&record.id, key, &key_record);
        self.tenants
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(record.slug.clone(), record.clone());
        Ok(record)
    }

    pub async fn tenant_by_slug(&self, slug: &str) -> Result<TenantRecord> {
        if let Some(t) = self
            .tenants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(slug)
        {
            return Ok(t.clone());
        }
        let all = self.backend.list_tenants().await?;
        let mut cache = self.tenants.write().unwrap_or_else(|p| p.into_inner());
        for t in &all {
            cache.insert(t.slug.clone(), t.clone());
        }
        cache
            .get(slug)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(format!("practice '{slug}'")))
    }

    /// A practice by id (from the cache; the list is reloaded once when the id is new).
    pub async fn tenant_by_id(&self, id: &TenantId) -> Result<TenantRecord> {
        let cached = self
            .tenants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .find(|t| &t.id == id)
            .cloned();
        if let Some(t) = cached {
            return Ok(t);
        }
        let all = self.backend.list_tenants().await?;
        let mut cache = self.tenants.write().unwrap_or_else(|p| p.into_inner());
        for t in &all {
            cache.insert(t.slug.clone(), t.clone());
        }
        all.into_iter()
            .find(|t| &t.id == id)
            .ok_or_else(|| StoreError::NotFound("practice".into()))
    }

    /// The practices (the hidden system tenant is not one).
    pub async fn list_tenants(&self) -> Result<Vec<TenantRecord>> {
        let all = self.backend.list_tenants().await?;
        Ok(all
            .into_iter()
            .filter(|t| !t.slug.starts_with('_'))
            .collect())
    }

    /// A system context for a tenant given by slug (CLI and jobs).
    pub async fn system_context(&self, slug: &str, actor: &str) -> Result<AccessContext> {
        Ok(AccessContext::system(
            self.tenant_by_slug(slug).await?.id,
            actor,
        ))
    }
}
