//! Create, update and delete, plain or conditional, as one set of rules shared by the REST
//! handlers and batch entries, so a batch entry and the same request sent alone never differ.

use super::handlers::Result;
use super::outcome::FhirError;
use crate::AppState;
use axum::http::StatusCode;
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, StoreError, StoredResource};
use serde_json::Value;

/// What a write did, for the caller to render.
pub(super) enum Done {
    Created(StoredResource),
    Updated(StoredResource),
    /// Conditional create found the resource already there.
    Existing(StoredResource),
    /// Deleted (the new version), or nothing there to delete.
    Deleted(Option<i64>),
}

/// Which resource an update or delete is about.
pub(super) enum Target<'a> {
    Id(&'a str),
    /// `PUT`/`DELETE /{type}?search`.
    Search(&'a [(String, String)]),
}

/// Parameters that shape a result rather than select resources: meaningless in a condition.
const RESULT_PARAMETERS: &[&str] = &[
    "_count",
    "_cursor",
    "_elements",
    "_format",
    "_include",
    "_revinclude",
    "_sort",
    "_summary",
    "_total",
];

/// The current resources matching a condition; two are enough to decide. A condition with an
/// unknown or unusable parameter is refused: matching on part of it could pick the wrong
/// resource, or overwrite one that only looked like a match.
pub(super) async fn matching(
    state: &AppState,
    ctx: &AccessContext,
    rtype: &str,
    cond: &[(String, String)],
) -> Result<Vec<StoredResource>> {
    let mut params: Vec<(String, String)> = cond
        .iter()
        .filter(|(k, _)| !RESULT_PARAMETERS.contains(&k.as_str()))
        .cloned()
        .collect();
    if params.is_empty() {
        return Err(FhirError::invalid(format!(
            "a conditional interaction on {rtype} needs search parameters"
        )));
    }
    params.push(("_count".into(), "2".into()));
    let page = state.store.search(ctx, rtype, &params).await?;
    if !page.warnings.is_empty() {
        return Err(FhirError::invalid(format!(
            "condition on {rtype}: {}",
            page.warnings.join("; ")
        )));
    }
    Ok(page.resources)
}

pub(super) fn multiple(rtype: &str) -> FhirError {
    FhirError::new(
        StatusCode::PRECONDITION_FAILED,
        "multiple-matches",
        format!("the condition on {rtype} matches more than one resource"),
    )
}

/// Create; with `if_none_exist`, return the one match instead (412 for several).
pub(super) async fn create(
    state: &AppState,
    ctx: &AccessContext,
    rtype: &str,
    body: Value,
    if_none_exist: Option<&[(String, String)]>,
) -> Result<Done> {
    if let Some(cond) = if_none_exist {
        let mut found = matching(state, ctx, rtype, cond).await?;
        match found.len() {
            0 => {}
            1 => return Ok(Done::Existing(found.remove(0))),
            _ => return Err(multiple(rtype)),
        }
    }
    let out = state
        .store
        .create(ctx, rtype, body, WriteOptions::default())
        .await?;
    Ok(Done::Created(out.resource))
}

/// Update (or create at the given id). By search: no match creates (at the body's id if it
/// has one), one match is updated, several are refused with 412. A failed `If-Match` is 412.
pub(super) async fn update(
    state: &AppState,
    ctx: &AccessContext,
    rtype: &str,
    target: Target<'_>,
    mut body: Value,
    if_match: Option<i64>,
) -> Result<Done> {
    let body_id = body.get("id").and_then(Value::as_str).map(str::to_owned);
    let id = match target {
        Target::Id(id) => id.to_owned(),
        Target::Search(cond) => {
            let mut found = matching(state, ctx, rtype, cond).await?;
            let id = match (found.len(), body_id) {
                (0, None) => return create(state, ctx, rtype, body, None).await,
                (0, Some(id)) => id,
                (1, Some(id)) if id != found[0].id => {
                    return Err(FhirError::invalid(format!(
                        "the id in the body ('{}') is not the id of the {rtype} the condition matches",
                        id.chars().take(64).collect::<String>()
                    )));
                }
                (1, _) => found.remove(0).id,
                _ => return Err(multiple(rtype)),
            };
            // A conditional update's body need not carry the id the search found.
            if let Value::Object(o) = &mut body {
                o.entry("id").or_insert_with(|| Value::String(id.clone()));
            }
            id
        }
    };
    let opts = WriteOptions {
        if_match,
        ..Default::default()
    };
    let out = state
        .store
        .update(ctx, rtype, &id, body, opts)
        .await
        .map_err(|e| precondition_if(if_match.is_some(), e))?;
    Ok(if out.created {
        Done::Created(out.resource)
    } else {
        Done::Updated(out.resource)
    })
}

/// Delete; by search, one match is deleted, none is a no-op, several are refused with 412.
pub(super) async fn delete(
    state: &AppState,
    ctx: &AccessContext,
    rtype: &str,
    target: Target<'_>,
) -> Result<Done> {
    let id = match target {
        Target::Id(id) => id.to_owned(),
        Target::Search(cond) => {
            let mut found = matching(state, ctx, rtype, cond).await?;
            match found.len() {
                0 => return Ok(Done::Deleted(None)),
                1 => found.remove(0).id,
                _ => return Err(multiple(rtype)),
            }
        }
    };
    Ok(Done::Deleted(state.store.delete(ctx, rtype, &id).await?))
}

/// An `If-Match` that fails is a failed precondition (412), not a plain conflict (409).
pub(super) fn precondition_if(if_match: bool, e: StoreError) -> FhirError {
    let version_conflict = matches!(e, StoreError::VersionConflict { .. });
    let mut err = FhirError::from(e);
    if if_match && version_conflict {
        err.status = StatusCode::PRECONDITION_FAILED;
    }
    err
}
