//! Chained search, one level (`subject:Patient.name=smi`, `patient.birthdate=1980`): the chained
//! parameter is searched on the target type first (through its own rules, so identifying
//! Patient parameters go through the blind index, and authorised like any search), and the ids
//! found become a reference clause of the outer search. Reverse chains (`_has`) are resolved
//! alongside (see has.rs).

use super::{AccessContext, Store};
use crate::error::{Result, StoreError};
use crate::extract::{Kind, rules::rule};
use crate::search::{Clause, Match};
use cartella_core::resource_types::R4_RESOURCE_TYPES;

/// A chain may match at most this many targets (more is refused: narrow the chained value).
pub const MAX_CHAIN_TARGETS: usize = 1_000;

#[derive(Debug, Default)]
pub(super) struct Chained {
    pub clauses: Vec<Clause>,
    pub warnings: Vec<String>,
}

/// The types a chain `param.chained` may follow: the one named (`subject:Patient`) or those the
/// reference may point to (`patient` → Patient), each only if it has the chained parameter.
pub fn chain_targets(
    rtype: &str,
    param: &str,
    named: Option<&str>,
    chained: &str,
) -> Vec<&'static str> {
    let Some(r) = rule(rtype, param).filter(|r| r.kind == Kind::Reference) else {
        return Vec::new();
    };
    R4_RESOURCE_TYPES
        .iter()
        .copied()
        .filter(|t| r.targets.contains(t))
        .filter(|t| named.is_none_or(|want| want == *t))
        .filter(|t| rule(t, chained).is_some())
        .collect()
}

impl Store {
    /// Split chained parameters off `params` and resolve them to reference clauses.
    pub(super) async fn resolve_chains(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        params: &[(String, String)],
    ) -> Result<(Vec<(String, String)>, Chained)> {
        let mut rest = Vec::with_capacity(params.len());
        let mut out = Chained::default();
        for (name, value) in params {
            if name.starts_with("_has:") {
                self.resolve_has(ctx, rtype, name, value, &mut out).await?;
                continue;
            }
            let Some((head, tail)) = name.split_once('.').filter(|_| !name.starts_with('_')) else {
                rest.push((name.clone(), value.clone()));
                continue;
            };
            if tail.contains('.') {
                out.warnings.push(format!(
                    "{name}: chains of more than one level are not supported; ignored"
                ));
                continue;
            }
            let (param, named) = match head.split_once(':') {
                Some((p, t)) => (p, Some(t)),
                None => (head, None),
            };
            let chained = tail.split(':').next().unwrap_or(tail);
            let targets = chain_targets(rtype, param, named, chained);
            if targets.is_empty() {
                out.warnings.push(format!(
                    "{name}: '{param}' is not a reference parameter of {rtype} leading to a type with '{chained}'; ignored"
                ));
                continue;
            }
            let mut any_of = Vec::new();
            for target in targets {
                let query = vec![
                    (tail.to_owned(), value.clone()),
                    ("_count".to_owned(), MAX_CHAIN_TARGETS.to_string()),
                ];
                // Boxed: a search resolving its chains searches again (one level deep).
                let page = match Box::pin(self.search_matches(ctx, target, &query)).await {
                    Ok(p) => p,
                    // Unnamed candidate types the caller may not read are skipped.
                    Err(StoreError::Forbidden(_)) if named.is_none() => continue,
                    Err(e) => return Err(e),
                };
                if page.next.is_some() {
                    return Err(StoreError::InvalidSearch(format!(
                        "{name}: more than {MAX_CHAIN_TARGETS} {target} resources match; narrow the value"
                    )));
                }
                out.warnings.extend(page.warnings);
                any_of.extend(page.resources.into_iter().map(|r| Match::Ref {
                    target_type: Some(target.to_owned()),
                    target_id: r.id,
                }));
            }
            // No target: the clause matches nothing (an empty alternative list).
            out.clauses.push(Clause::Index {
                params: rule(rtype, param)
                    .map_or_else(|| vec![param.to_owned()], |r| r.stored_as()),
                negate: false,
                any_of,
            });
        }
        Ok((rest, out))
    }
}
