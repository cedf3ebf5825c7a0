//! The guard of a conditional create: its condition, as index clauses, checked again where
//! writes are serialised (see [`Absent`]).

use super::{AccessContext, Store};
use crate::error::Result;
use crate::model::Absent;
use crate::search::SearchPlan;
use cartella_core::ResourceType;
use sha2::{Digest, Sha256};

impl Store {
    /// The guard of a create whose condition is `params` (`If-None-Exist`, or a conditional
    /// update that found nothing). `None` when the index cannot decide the condition alone (a
    /// modifier applied after decryption): then only the search before the write checks it.
    pub async fn absent(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        params: &[(String, String)],
    ) -> Result<Option<Absent>> {
        let rtype = ResourceType::parse(rtype)?.as_str();
        let (parsed, _) = self.parse_scoped(ctx, rtype, params).await?;
        if !parsed.post_filters.is_empty() || parsed.clauses.is_empty() {
            return Ok(None);
        }
        let mut sorted: Vec<&(String, String)> = params.iter().collect();
        sorted.sort();
        sorted.dedup();
        let mut hash = Sha256::new();
        for part in [ctx.tenant.as_str(), rtype] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        for (name, value) in &sorted {
            hash.update(name.as_bytes());
            hash.update([1]);
            hash.update(value.as_bytes());
            hash.update([0]);
        }
        let digest = hash.finalize();
        let mut key = [0u8; 8];
        key.copy_from_slice(&digest[..8]);
        let names: Vec<&str> = sorted.iter().map(|(n, _)| n.as_str()).collect();
        Ok(Some(Absent {
            key: i64::from_be_bytes(key),
            plan: SearchPlan {
                tenant: ctx.tenant.clone(),
                rtype: rtype.to_owned(),
                clauses: parsed.clauses,
                sort: Default::default(),
                after: None,
                limit: 1,
            },
            what: format!("{rtype}?{}", names.join("&")),
        }))
    }
}
