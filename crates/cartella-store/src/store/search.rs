//! Search over one resource type: parse, restrict to what the caller may read, run the plan,
//! open the matches, apply what the index cannot decide, and work out the next page's cursor.

use super::authorize::Scope;
use super::read::{DEFAULT_PAGE, MAX_PAGE, SearchPage, known_patient, to_stored};
use super::{AccessContext, Store};
use crate::crypto::DataKey;
use crate::crypto::normalize::{normalize, words};
use crate::error::{Result, StoreError};
use crate::extract::{extract, values};
use crate::search::parse::{ParsedSearch, PostFilter, PostMatch, parse};
use crate::search::{Clause, Cursor, SearchPlan, SortKey, SortValue};
use cartella_core::ResourceType;
use cartella_core::access::Action;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

impl Store {
    /// Search current resources of a type. `count` defaults to 50, at most 1,000.
    pub(super) async fn search_matches(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        params: &[(String, String)],
    ) -> Result<SearchPage> {
        let rtype = ResourceType::parse(rtype)?.as_str();
        let (parsed, tenant_key) = self.parse_scoped(ctx, rtype, params).await?;
        let sort = parsed.sort.clone();
        if let Some(after) = &parsed.after
            && std::mem::discriminant(&after.value)
                != std::mem::discriminant(&sort.key.missing(false))
        {
            return Err(StoreError::InvalidSearch(
                "_cursor does not belong to this _sort".into(),
            ));
        }
        let count = parsed.count.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE);
        let plan = SearchPlan {
            tenant: ctx.tenant.clone(),
            rtype: rtype.to_owned(),
            clauses: parsed.clauses,
            sort,
            after: parsed.after,
            limit: count + 1,
        };
        let total = if parsed.total {
            Some(self.backend.count(&plan).await?)
        } else {
            None
        };
        let mut page = SearchPage {
            resources: Vec::new(),
            next: None,
            total,
            warnings: parsed.warnings,
            included: Vec::new(),
        };
        if count == 0 {
            return Ok(page);
        }
        let mut rows = self.backend.search(&plan).await?;
        let more = rows.len() > count;
        rows.truncate(count);
        // The cursor is the last row's key, whether or not a post-filter keeps the row.
        let last = rows
            .last()
            .map(|r| (r.row_id, r.last_updated, r.id.clone()));
        let mut last_value = None;
        let mut patients = BTreeSet::new();
        for raw in rows {
            let json = match self.open_content(&ctx.tenant, &raw).await {
                Ok(j) => j,
                Err(StoreError::Erased(_)) => continue,
                // One damaged row must not hide every other result; it is logged and reported.
                Err(StoreError::Corrupted(what)) => {
                    page.warnings
                        .push(format!("{what} could not be decrypted and was left out"));
                    continue;
                }
                Err(e) => return Err(e),
            };
            // The resource is parsed only when something needs its content: a post-filter, the
            // next page's sort value, or a row without its recorded compartment. Parsing every
            // match was a sixth of a search's CPU.
            let is_last = last.as_ref().is_some_and(|l| l.0 == raw.row_id);
            let mut patient = known_patient(&raw);
            let needs_value = !parsed.post_filters.is_empty()
                || (is_last && more && sort_needs_content(&plan.sort.key))
                || patient.is_none();
            if needs_value {
                let Ok(value) = serde_json::from_slice::<Value>(&json) else {
                    return Err(StoreError::Corrupted(format!("{}/{}", raw.rtype, raw.id)));
                };
                if is_last {
                    last_value = Some(value.clone());
                }
                if !passes(&parsed.post_filters, &value) {
                    continue;
                }
                if patient.is_none() {
                    patient = crate::extract::patient_of(&raw.rtype, &raw.id, &value);
                }
            }
            patients.extend(patient);
            page.resources.push(to_stored(raw, json));
        }
        if let (true, Some((row, last_updated, id))) = (more, last) {
            let value = match &plan.sort.key {
                SortKey::LastUpdated => SortValue::Int(last_updated),
                SortKey::Id => SortValue::Text(id),
                _ => last_value
                    .map(|v| sort_value(rtype, &v, &plan, tenant_key.blind_key()))
                    .unwrap_or_else(|| plan.sort.key.missing(plan.sort.desc)),
            };
            page.next = Some(Cursor { value, row }.encode());
        }
        self.audit_patients(ctx, "search", patients).await?;
        Ok(page)
    }
}

impl Store {
    /// `params` parsed for `rtype`, chains resolved, limited to the caller's compartment.
    pub(super) async fn parse_scoped(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        params: &[(String, String)],
    ) -> Result<(ParsedSearch, Arc<DataKey>)> {
        let tenant_key = self
            .keys
            .tenant_key(self.backend.as_ref(), &ctx.tenant)
            .await?;
        let scope = self.authorize(ctx, Action::Read, rtype, None).await?;
        let (params, chained) = self.resolve_chains(ctx, rtype, params).await?;
        let mut parsed = parse(rtype, &params, tenant_key.blind_key())?;
        parsed.clauses.extend(chained.clauses);
        parsed.warnings.extend(chained.warnings);
        if let Scope::Patients(ids) = scope {
            parsed.clauses.push(Clause::Compartment(ids));
        }
        Ok((parsed, tenant_key))
    }
}

/// Whether the cursor's sort value must be read from the resource (else it is a row column).
fn sort_needs_content(key: &SortKey) -> bool {
    !matches!(key, SortKey::LastUpdated | SortKey::Id)
}

/// The sort value the backends compute in SQL, computed from the resource by the same extraction
/// that wrote its index rows: the smallest (ascending) or largest (descending) value.
fn sort_value(rtype: &str, resource: &Value, plan: &SearchPlan, blind_key: &[u8; 32]) -> SortValue {
    let rows = extract(rtype, resource, blind_key);
    let desc = plan.sort.desc;
    let pick_text = |values: Vec<&String>| {
        let v = if desc {
            values.into_iter().max()
        } else {
            values.into_iter().min()
        };
        v.map(|s| SortValue::Text(s.clone()))
    };
    let found = match &plan.sort.key {
        SortKey::Date(p) => {
            let dates = rows.dates.iter().filter(|d| p.iter().any(|n| n == d.param));
            if desc {
                dates.map(|d| d.hi).max()
            } else {
                dates.map(|d| d.lo).min()
            }
            .map(SortValue::Int)
        }
        SortKey::Token(p) => pick_text(
            rows.tokens
                .iter()
                .filter(|t| p.iter().any(|n| n == t.param))
                .map(|t| &t.code)
                .collect(),
        ),
        SortKey::String(p) => pick_text(
            rows.strings
                .iter()
                .filter(|s| p.iter().any(|n| n == s.param))
                .map(|s| &s.value)
                .collect(),
        ),
        SortKey::LastUpdated | SortKey::Id => None,
    };
    found.unwrap_or_else(|| plan.sort.key.missing(desc))
}

/// What the index cannot decide, checked on the decrypted resource.
fn passes(filters: &[PostFilter], resource: &Value) -> bool {
    filters.iter().all(|f| {
        let nodes = values::select(resource, f.rule.paths);
        match &f.how {
            PostMatch::WordPrefix(prefix) => nodes.into_iter().any(|node| {
                values::strings(node)
                    .iter()
                    .any(|s| words(&normalize(s)).any(|w| w.starts_with(prefix.as_str())))
            }),
            PostMatch::Text(any_of) => {
                let texts: Vec<String> = nodes.into_iter().flat_map(token_texts).collect();
                any_of.iter().any(|wanted| {
                    texts.iter().any(|t| {
                        let norm = normalize(t);
                        wanted
                            .iter()
                            .all(|w| words(&norm).any(|have| have.starts_with(w.as_str())))
                    })
                })
            }
        }
    })
}

/// The human-readable parts of a token node (`:text`): a CodeableConcept's `text` and its
/// codings' `display`, a Coding's `display`, an Identifier's `type.text`.
fn token_texts(node: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    out.extend(s(node.get("text")));
    out.extend(s(node.get("display")));
    if let Some(Value::Array(codings)) = node.get("coding") {
        out.extend(codings.iter().filter_map(|c| s(c.get("display"))));
    }
    if let Some(t) = node.get("type") {
        out.extend(s(t.get("text")));
    }
    out
}
