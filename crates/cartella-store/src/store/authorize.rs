//! The one place access is decided: every store call asks [`Store::authorize`] first. A denial
//! is audited (outcome "denied") and becomes [`StoreError::Forbidden`]; a compartment-limited
//! allowance tells the caller which patients' data it may touch.

use super::{AccessContext, Store};
use crate::error::{Result, StoreError};
use cartella_core::access::{Action, Decision};

/// What the caller may see of the resources it asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Only resources in these patients' compartments.
    Patients(Vec<String>),
}

impl Scope {
    pub fn admits(&self, patient: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Patients(ids) => patient.is_some_and(|p| ids.iter().any(|i| i == p)),
        }
    }
}

impl Store {
    pub(crate) async fn authorize(
        &self,
        ctx: &AccessContext,
        action: Action,
        rtype: &str,
        id: Option<&str>,
    ) -> Result<Scope> {
        match ctx.principal.decide(rtype, action) {
            Decision::Allow => Ok(Scope::All),
            Decision::Compartment(ids) => Ok(Scope::Patients(ids)),
            Decision::Deny => Err(self.deny(ctx, action, rtype, id).await),
        }
    }

    /// Audit a refusal and build the error the caller returns.
    pub(crate) async fn deny(
        &self,
        ctx: &AccessContext,
        action: Action,
        rtype: &str,
        id: Option<&str>,
    ) -> StoreError {
        let details = Some(format!("{{\"action\":\"{action}\"}}"));
        match self
            .audit_draft(
                ctx,
                action.as_str(),
                Some((rtype, id.unwrap_or(""), None)),
                None,
                "denied",
                details,
            )
            .await
        {
            Ok(draft) => self.audit_read(draft),
            Err(e) => tracing::error!(error = %e, "could not audit a denied access"),
        }
        StoreError::Forbidden(format!("{} may not {action} {rtype}", ctx.role))
    }

    /// Administration of the practice (users, clients, settings) needs the admin action.
    pub async fn authorize_admin(&self, ctx: &AccessContext) -> Result<()> {
        self.authorize(ctx, Action::Admin, "Practice", None)
            .await
            .map(|_| ())
    }
}
