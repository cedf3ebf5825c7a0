//! Reverse chaining, one level (`Patient?_has:Observation:patient:code=8867-4`): the resources
//! of the named type that match the inner parameter are searched first (authorised and audited
//! like any search), and the resources their reference parameter points to become an `_id`
//! clause of the outer search.

use super::chain::{Chained, MAX_CHAIN_TARGETS};
use super::{AccessContext, Store};
use crate::error::{Result, StoreError};
use crate::extract::{Kind, extract_params, rules::rule};
use crate::search::Clause;
use cartella_core::ResourceType;
use serde_json::Value;
use std::collections::BTreeSet;

impl Store {
    /// Resolve `name` (`_has:Type:reference:parameter`) = `value` into an `_id` clause of
    /// `rtype`, or a warning when it cannot apply to `rtype`.
    pub(super) async fn resolve_has(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        name: &str,
        value: &str,
        out: &mut Chained,
    ) -> Result<()> {
        let mut parts = name.splitn(4, ':').skip(1);
        let (Some(source), Some(param), Some(inner)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(StoreError::InvalidSearch(format!(
                "{name}: _has takes the form _has:Type:reference:parameter"
            )));
        };
        let source = ResourceType::parse(source)
            .map_err(|_| {
                StoreError::InvalidSearch(format!("{name}: '{source}' is not an R4 resource type"))
            })?
            .as_str();
        if inner.starts_with("_has") {
            out.warnings
                .push(format!("{name}: nested _has is not supported; ignored"));
            return Ok(());
        }
        let Some(reference) =
            rule(source, param).filter(|r| r.kind == Kind::Reference && r.targets.contains(&rtype))
        else {
            out.warnings.push(format!(
                "{name}: '{param}' is not a reference parameter of {source} that can point to {rtype}; ignored"
            ));
            return Ok(());
        };
        let stored = reference.stored_as();
        let query = vec![
            (inner.to_owned(), value.to_owned()),
            ("_count".to_owned(), MAX_CHAIN_TARGETS.to_string()),
        ];
        // Boxed: the inner search resolves chains of its own.
        let page = Box::pin(self.search_matches(ctx, source, &query)).await?;
        if page.next.is_some() {
            return Err(StoreError::InvalidSearch(format!(
                "{name}: more than {MAX_CHAIN_TARGETS} {source} resources match; narrow the value"
            )));
        }
        out.warnings.extend(page.warnings);
        let tenant_key = self
            .keys
            .tenant_key(self.backend.as_ref(), &ctx.tenant)
            .await?;
        let mut ids = BTreeSet::new();
        for found in page.resources {
            let resource: Value = serde_json::from_slice(&found.json)
                .map_err(|_| StoreError::Corrupted(format!("{}/{}", found.rtype, found.id)))?;
            // Only the reference's own rows: the others (blind tokens among them) are not needed.
            let wanted = |name: &str| stored.iter().any(|s| s == name);
            let rows = extract_params(source, &resource, tenant_key.blind_key(), wanted).refs;
            ids.extend(
                rows.into_iter()
                    .filter(|r| r.target_type == rtype && stored.iter().any(|s| s == r.param))
                    .map(|r| r.target_id),
            );
        }
        // None found: an empty list, which matches nothing.
        out.clauses.push(Clause::Id(ids.into_iter().collect()));
        Ok(())
    }
}
