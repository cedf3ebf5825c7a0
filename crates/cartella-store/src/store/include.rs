//! `_include` and `_revinclude`: resources referenced by the matches, or referencing them, added
//! to the page (each read is authorised and audited like any other; what the caller may not
//! read is left out).

use super::read::SearchPage;
use super::{AccessContext, Store, StoredResource};
use crate::error::{Result, StoreError};
use crate::extract::{Kind, rules::rule, values};
use std::collections::BTreeSet;

/// At most this many included resources per page.
const MAX_INCLUDED: usize = 1_000;

impl Store {
    /// Search with `_include=Type:param[:Target]` and `_revinclude=Type:param` support.
    pub async fn search(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        params: &[(String, String)],
    ) -> Result<SearchPage> {
        let (includes, rest): (Vec<_>, Vec<_>) = params
            .iter()
            .cloned()
            .partition(|(k, _)| k == "_include" || k == "_revinclude");
        let mut page = self.search_matches(ctx, rtype, &rest).await?;
        if includes.is_empty() || page.resources.is_empty() {
            return Ok(page);
        }
        let mut seen: BTreeSet<(String, String)> = page
            .resources
            .iter()
            .map(|r| (r.rtype.clone(), r.id.clone()))
            .collect();
        for (kind, spec) in includes {
            let mut parts = spec.split(':');
            let (source, param, target) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
                parts.next(),
            );
            let Some(r) = rule(source, param).filter(|r| r.kind == Kind::Reference) else {
                page.warnings.push(format!(
                    "{kind}={spec}: not a reference search parameter of {source}; ignored"
                ));
                continue;
            };
            let found = if kind == "_include" {
                if source != rtype {
                    continue;
                }
                // A parameter limited to one target type (`patient` over `subject`) includes
                // only resources of that type.
                if let (Some(asked), Some(only)) = (target, r.target)
                    && asked != only
                {
                    page.warnings.push(format!(
                        "{kind}={spec}: '{param}' refers to {only} only; ignored"
                    ));
                    continue;
                }
                self.forward(
                    ctx,
                    &page.resources,
                    r.paths,
                    target.or(r.target),
                    &mut seen,
                )
                .await?
            } else {
                self.reverse(ctx, rtype, &page.resources, source, param, &mut seen)
                    .await?
            };
            page.included.extend(found);
            if page.included.len() >= MAX_INCLUDED {
                page.included.truncate(MAX_INCLUDED);
                page.warnings.push(format!(
                    "more than {MAX_INCLUDED} included resources: the rest were left out"
                ));
                break;
            }
        }
        Ok(page)
    }

    /// The targets the matches reference on `paths` (optionally only of type `target`).
    async fn forward(
        &self,
        ctx: &AccessContext,
        matches: &[StoredResource],
        paths: &[&str],
        target: Option<&str>,
        seen: &mut BTreeSet<(String, String)>,
    ) -> Result<Vec<StoredResource>> {
        let mut out = Vec::new();
        for m in matches {
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(&m.json) else {
                continue;
            };
            for node in values::select(&v, paths) {
                let Some((t, id)) = values::reference(node) else {
                    continue;
                };
                if target.is_some_and(|want| want != t) || !seen.insert((t.clone(), id.clone())) {
                    continue;
                }
                match self.read(ctx, &t, &id).await {
                    Ok(r) => out.push(r),
                    Err(
                        StoreError::NotFound(_)
                        | StoreError::Deleted(_)
                        | StoreError::Erased(_)
                        | StoreError::Forbidden(_)
                        | StoreError::Domain(_),
                    ) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(out)
    }

    /// Resources of `source` whose `param` references one of the matches.
    async fn reverse(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        matches: &[StoredResource],
        source: &str,
        param: &str,
        seen: &mut BTreeSet<(String, String)>,
    ) -> Result<Vec<StoredResource>> {
        let refs: Vec<String> = matches
            .iter()
            .map(|m| format!("{rtype}/{}", m.id))
            .collect();
        let query = vec![
            (param.to_owned(), refs.join(",")),
            ("_count".to_owned(), MAX_INCLUDED.to_string()),
        ];
        let found = match self.search_matches(ctx, source, &query).await {
            Ok(p) => p.resources,
            Err(StoreError::Forbidden(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(found
            .into_iter()
            .filter(|r| seen.insert((r.rtype.clone(), r.id.clone())))
            .collect())
    }
}
