//! A batch: each entry on its own.

use super::entry::{Entry, at, parse_entry};
use super::{Result, error_entry, put_entry, read_entry, value_entry};
use crate::AppState;
use crate::fhir::interactions::{self, Done, Target};
use crate::fhir::outcome::FhirError;
use crate::fhir::response::Return;
use cartella_store::AccessContext;
use serde_json::{Value, json};

/// Each entry on its own: one failing entry does not stop the others. Writes follow the same
/// rules as the REST interactions, conditional ones included.
pub(super) async fn batch(
    state: &AppState,
    ctx: &AccessContext,
    mut raw: Vec<Value>,
    ret: Return,
) -> Vec<Vec<u8>> {
    let base = format!("{}/fhir/R4", state.config.public_url);
    let mut out = Vec::new();
    for (i, e) in raw.iter_mut().enumerate() {
        let entry = match parse_entry(i, e) {
            Err(err) => error_entry(err),
            Ok(e) if e.method == "GET" => read_entry(state, ctx, &base, &e).await,
            Ok(e) => match batch_write(state, ctx, i, e).await {
                Ok(Done::Created(r)) => put_entry(&base, &r, "201 Created", ret),
                Ok(Done::Updated(r) | Done::Existing(r)) => put_entry(&base, &r, "200 OK", ret),
                Ok(Done::Deleted(_)) => {
                    value_entry(&json!({"response": {"status": "204 No Content"}}))
                }
                Err(err) => error_entry(err),
            },
        };
        out.push(entry);
    }
    out
}

async fn batch_write(
    state: &AppState,
    ctx: &AccessContext,
    i: usize,
    mut e: Entry,
) -> Result<Done> {
    let target = match &e.id {
        Some(id) => Target::Id(id),
        None => Target::Search(&e.condition),
    };
    let body = e
        .resource
        .take()
        .ok_or_else(|| FhirError::invalid("resource is missing"));
    let done = match e.method.as_str() {
        "POST" => {
            let cond = (!e.if_none_exist.is_empty()).then_some(e.if_none_exist.as_slice());
            interactions::create(state, ctx, e.rtype, body?, cond).await
        }
        "PUT" => interactions::update(state, ctx, e.rtype, target, body?, e.if_match).await,
        "DELETE" => interactions::delete(state, ctx, e.rtype, target).await,
        other => Err(FhirError::invalid(format!(
            "method {other} is not supported in a batch"
        ))),
    };
    done.map_err(|err| at(i, err))
}
