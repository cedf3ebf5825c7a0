//! Create, update and delete, plain or conditional, as one set of rules shared by the REST
//! handlers and batch entries, so a batch entry and the same request sent alone never differ.

use super::handlers::Result;
use super::outcome::FhirError;
use crate::AppState;
use axum::http::StatusCode;
use cartella_store::store::{WriteOptions, WriteOutcome};
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
    let mut params = selecting(rtype, cond)?;
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

/// The parameters of a condition that select resources; a condition without any is refused.
fn selecting(rtype: &str, cond: &[(String, String)]) -> Result<Vec<(String, String)>> {
    let params: Vec<(String, String)> = cond
        .iter()
        .filter(|(k, _)| !RESULT_PARAMETERS.contains(&k.as_str()))
        .cloned()
        .collect();
    if params.is_empty() {
        return Err(FhirError::invalid(format!(
            "a conditional interaction on {rtype} needs search parameters"
        )));
    }
    Ok(params)
}

/// The guard that keeps a create made because `cond` matched nothing from racing another
/// request with the same condition (see [`cartella_store::Absent`]).
pub(super) async fn absent(
    state: &AppState,
    ctx: &AccessContext,
    rtype: &str,
    cond: &[(String, String)],
) -> Result<Option<cartella_store::Absent>> {
    Ok(state
        .store
        .absent(ctx, rtype, &selecting(rtype, cond)?)
        .await?)
}

/// A conditional write's [`absent`] guard, built on first need and kept for the retries.
#[derive(Default)]
struct Guard(Option<Option<cartella_store::Absent>>);

impl Guard {
    async fn get(
        &mut self,
        state: &AppState,
        ctx: &AccessContext,
        rtype: &str,
        cond: &[(String, String)],
    ) -> Result<Option<cartella_store::Absent>> {
        if self.0.is_none() {
            self.0 = Some(absent(state, ctx, rtype, cond).await?);
        }
        Ok(self.0.clone().flatten())
    }
}

/// Attempts of a conditional write that lost the race for its condition: the next attempt
/// finds the winner's resource, so a second is normally the last.
const RACES: usize = 3;

pub(super) fn multiple(rtype: &str) -> FhirError {
    FhirError::new(
        StatusCode::PRECONDITION_FAILED,
        "multiple-matches",
        format!("the condition on {rtype} matches more than one resource"),
    )
}

/// Create; with `if_none_exist`, return the one match instead (412 for several). Two such
/// creates racing with the same condition create once: the other answers with that resource.
pub(super) async fn create(
    state: &AppState,
    ctx: &AccessContext,
    rtype: &str,
    body: Value,
    if_none_exist: Option<&[(String, String)]>,
) -> Result<Done> {
    let Some(cond) = if_none_exist else {
        let out = state
            .store
            .create(ctx, rtype, body, WriteOptions::default())
            .await?;
        return Ok(Done::Created(out.resource));
    };
    // Built once, and only when nothing matched (the usual answer to a retried feed is a match).
    let mut guard = Guard::default();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut found = matching(state, ctx, rtype, cond).await?;
        match found.len() {
            0 => {}
            1 => return Ok(Done::Existing(found.remove(0))),
            _ => return Err(multiple(rtype)),
        }
        let opts = WriteOptions {
            absent: guard.get(state, ctx, rtype, cond).await?,
            ..Default::default()
        };
        match state.store.create(ctx, rtype, body.clone(), opts).await {
            Ok(out) => return Ok(Done::Created(out.resource)),
            Err(StoreError::ConditionMatched(_)) if attempt < RACES => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Update (or create at the given id). By search: no match creates (at the body's id if it
/// has one), one match is updated, several are refused with 412. A failed `If-Match` is 412.
/// Two conditional updates racing to create with the same condition create once: the other
/// then updates that resource.
pub(super) async fn update(
    state: &AppState,
    ctx: &AccessContext,
    rtype: &str,
    target: Target<'_>,
    body: Value,
    if_match: Option<i64>,
) -> Result<Done> {
    let cond = match target {
        Target::Id(id) => {
            return written(
                put(state, ctx, rtype, id, body, if_match, None).await,
                if_match,
            );
        }
        Target::Search(cond) => cond,
    };
    let body_id = body.get("id").and_then(Value::as_str).map(str::to_owned);
    let mut guard = Guard::default();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut found = matching(state, ctx, rtype, cond).await?;
        let (id, creates) = match (found.len(), &body_id) {
            (0, None) => {
                let opts = WriteOptions {
                    absent: guard.get(state, ctx, rtype, cond).await?,
                    ..Default::default()
                };
                match state.store.create(ctx, rtype, body.clone(), opts).await {
                    Ok(out) => return Ok(Done::Created(out.resource)),
                    Err(StoreError::ConditionMatched(_)) if attempt < RACES => continue,
                    Err(e) => return Err(e.into()),
                }
            }
            (0, Some(id)) => (id.clone(), true),
            (1, Some(id)) if *id != found[0].id => {
                return Err(FhirError::invalid(format!(
                    "the id in the body ('{}') is not the id of the {rtype} the condition matches",
                    id.chars().take(64).collect::<String>()
                )));
            }
            (1, _) => (found.remove(0).id, false),
            _ => return Err(multiple(rtype)),
        };
        // A conditional update's body need not carry the id the search found.
        let mut body = body.clone();
        if let Value::Object(o) = &mut body {
            o.entry("id").or_insert_with(|| Value::String(id.clone()));
        }
        let absent = if creates {
            guard.get(state, ctx, rtype, cond).await?
        } else {
            None
        };
        match put(state, ctx, rtype, &id, body, if_match, absent).await {
            Err(StoreError::ConditionMatched(_)) if attempt < RACES => {}
            done => return written(done, if_match),
        }
    }
}

/// Update `rtype/id` (or create it there).
async fn put(
    state: &AppState,
    ctx: &AccessContext,
    rtype: &str,
    id: &str,
    body: Value,
    if_match: Option<i64>,
    absent: Option<cartella_store::Absent>,
) -> std::result::Result<WriteOutcome, StoreError> {
    let opts = WriteOptions {
        if_match,
        absent,
        ..Default::default()
    };
    state.store.update(ctx, rtype, id, body, opts).await
}

/// An update's answer: created or updated, or its error (a failed `If-Match` is 412).
fn written(
    out: std::result::Result<WriteOutcome, StoreError>,
    if_match: Option<i64>,
) -> Result<Done> {
    let out = out.map_err(|e| precondition_if(if_match.is_some(), e))?;
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
