//! A transaction: ids assigned up front, `urn:uuid:` and conditional references resolved,
//! conditional create/update/delete decided by search, then one atomic store write.

use super::entry::{Entry, at, bad, parse_entry, type_and_id};
use super::{Result, error_entry, put_entry, read_entry, value_entry};
use crate::AppState;
use crate::fhir::interactions;
use crate::fhir::outcome::FhirError;
use crate::fhir::query::query_pairs;
use crate::fhir::response::Return;
use axum::http::StatusCode;
use cartella_core::{ResourceId, ResourceType};
use cartella_store::AccessContext;
use cartella_store::store::{Write, Written};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;

/// Ids of the current resources matching a condition (at most two are needed to decide).
async fn matches(
    state: &AppState,
    ctx: &AccessContext,
    rtype: &str,
    cond: &[(String, String)],
) -> Result<Vec<String>> {
    let found = interactions::matching(state, ctx, rtype, cond).await?;
    Ok(found.into_iter().map(|r| r.id).collect())
}

/// A conditional create's type and condition, its parameters in order.
fn condition_key(e: &Entry) -> (&'static str, Vec<(String, String)>) {
    let mut cond = e.if_none_exist.clone();
    cond.sort();
    (e.rtype, cond)
}

fn precondition(i: usize, rtype: &str) -> FhirError {
    FhirError::new(
        StatusCode::PRECONDITION_FAILED,
        "multiple-matches",
        format!("entry {i}: the condition on {rtype} matches more than one resource"),
    )
}

/// Replace references through `map` (fullUrl → Type/id), and conditional references by search.
fn rewrite<'a>(
    value: &'a mut Value,
    map: &'a HashMap<String, String>,
    unresolved: &mut Vec<String>,
) {
    match value {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get_mut("reference") {
                if let Some(to) = map.get(r.as_str()) {
                    *r = to.clone();
                } else if r.contains('?') || r.starts_with("urn:uuid:") || r.starts_with("urn:oid:")
                {
                    unresolved.push(r.clone());
                }
            }
            o.values_mut().for_each(|v| rewrite(v, map, unresolved));
        }
        Value::Array(a) => a.iter_mut().for_each(|v| rewrite(v, map, unresolved)),
        _ => {}
    }
}

pub(super) async fn transaction(
    state: &AppState,
    ctx: &AccessContext,
    mut raw: Vec<Value>,
    ret: Return,
) -> Result<Vec<Vec<u8>>> {
    // A read that cannot be parsed (an operation such as `$lookup`) fails alone; a write fails
    // the transaction.
    let mut entries = Vec::with_capacity(raw.len());
    let mut unreadable = HashMap::new();
    for (i, e) in raw.iter_mut().enumerate() {
        match parse_entry(i, e) {
            Ok(p) => entries.push(p),
            Err(err)
                if e["request"]["method"]
                    .as_str()
                    .is_some_and(|m| m.eq_ignore_ascii_case("GET")) =>
            {
                unreadable.insert(entries.len(), err);
                entries.push(Entry {
                    full_url: None,
                    method: "GET".into(),
                    rtype: "Basic",
                    id: None,
                    condition: Vec::new(),
                    if_none_exist: Vec::new(),
                    if_match: None,
                    resource: None,
                });
            }
            Err(err) => return Err(err),
        }
    }
    let mut map = HashMap::new();
    // The conditions of creates that matched nothing: they must still match nothing at commit.
    let mut guards = Vec::new();
    // New ids of conditional creates by condition: a second entry with the same condition
    // matches the first one's resource instead of creating another.
    let mut conditional: HashMap<_, String> = HashMap::new();
    // Decide every entry's target first: new ids for creates, matches for conditions.
    let mut targets: Vec<Option<(String, bool)>> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let target = match e.method.as_str() {
            "POST" => {
                let existing = if e.if_none_exist.is_empty() {
                    Vec::new()
                } else {
                    matches(state, ctx, e.rtype, &e.if_none_exist)
                        .await
                        .map_err(|err| at(i, err))?
                };
                match existing.as_slice() {
                    [] if e.if_none_exist.is_empty() => {
                        Some((ResourceId::new_v7().to_string(), true))
                    }
                    // The same condition on an earlier entry: that entry's resource matches.
                    [] => match conditional.entry(condition_key(e)) {
                        Slot::Occupied(same) => Some((same.get().clone(), false)),
                        Slot::Vacant(first) => {
                            guards.extend(
                                interactions::absent(state, ctx, e.rtype, &e.if_none_exist)
                                    .await
                                    .map_err(|err| at(i, err))?,
                            );
                            let id = ResourceId::new_v7().to_string();
                            first.insert(id.clone());
                            Some((id, true))
                        }
                    },
                    [one] => Some((one.clone(), false)),
                    _ => return Err(precondition(i, e.rtype)),
                }
            }
            "PUT" => match &e.id {
                Some(id) => Some((id.clone(), true)),
                None => match matches(state, ctx, e.rtype, &e.condition)
                    .await
                    .map_err(|err| at(i, err))?
                    .as_slice()
                {
                    // No match: created, at the body's id when it has one.
                    [] => {
                        guards.extend(
                            interactions::absent(state, ctx, e.rtype, &e.condition)
                                .await
                                .map_err(|err| at(i, err))?,
                        );
                        Some((
                            e.resource
                                .as_ref()
                                .and_then(|r| r.get("id"))
                                .and_then(Value::as_str)
                                .map_or_else(|| ResourceId::new_v7().to_string(), str::to_owned),
                            true,
                        ))
                    }
                    [one] => Some((one.clone(), true)),
                    _ => return Err(precondition(i, e.rtype)),
                },
            },
            "DELETE" => match &e.id {
                Some(id) => Some((id.clone(), true)),
                None => match matches(state, ctx, e.rtype, &e.condition)
                    .await
                    .map_err(|err| at(i, err))?
                    .as_slice()
                {
                    [] => None,
                    [one] => Some((one.clone(), true)),
                    _ => return Err(precondition(i, e.rtype)),
                },
            },
            "GET" => None,
            other => {
                return Err(bad(
                    i,
                    format!("method {other} is not supported in a transaction"),
                ));
            }
        };
        if let (Some(full), Some((id, _))) = (&e.full_url, &target) {
            map.insert(full.clone(), format!("{}/{id}", e.rtype));
            // An absolute fullUrl also stands for its relative form (`Patient/a2`).
            if full.contains("://")
                && let Some((t, Some(old))) = type_and_id(full)
            {
                map.insert(format!("{t}/{old}"), format!("{}/{id}", e.rtype));
            }
        }
        targets.push(target);
    }
    let mut writes = Vec::new();
    let mut plan = Vec::new();
    for (i, (e, target)) in entries.iter_mut().zip(&targets).enumerate() {
        match (e.method.as_str(), target) {
            ("POST" | "PUT", Some((id, true))) => {
                let mut body = e
                    .resource
                    .take()
                    .ok_or_else(|| bad(i, "resource is missing"))?;
                let mut unresolved = Vec::new();
                rewrite(&mut body, &map, &mut unresolved);
                for r in unresolved {
                    if r.starts_with("urn:") {
                        return Err(bad(
                            i,
                            format!(
                                "the reference {} is the fullUrl of no entry in this bundle",
                                r.chars().take(80).collect::<String>()
                            ),
                        ));
                    }
                    let (t, q) = r.split_once('?').unwrap_or((&r, ""));
                    let rt = ResourceType::parse(t).map_err(|e| bad(i, e))?.as_str();
                    match matches(state, ctx, rt, &query_pairs(Some(q.to_owned())))
                        .await
                        .map_err(|err| at(i, err))?
                        .as_slice()
                    {
                        [one] => {
                            let mut single = HashMap::new();
                            single.insert(r.clone(), format!("{rt}/{one}"));
                            rewrite(&mut body, &single, &mut Vec::new());
                        }
                        [] => {
                            return Err(bad(
                                i,
                                format!("the conditional reference {r} matches nothing"),
                            ));
                        }
                        _ => return Err(precondition(i, rt)),
                    }
                }
                if let Value::Object(o) = &mut body {
                    // A create gets its new id whatever the body says; an update must name the
                    // resource it updates.
                    let named = o.get("id").and_then(Value::as_str);
                    if e.method == "PUT" && named.is_some_and(|n| n != id) {
                        return Err(bad(
                            i,
                            format!(
                                "the id in the resource does not match the request URL's ('{id}')"
                            ),
                        ));
                    }
                    o.insert("id".into(), Value::String(id.clone()));
                }
                // A POST that reaches here got a new id above: nothing to look up.
                writes.push(if e.method == "POST" {
                    Write::Create {
                        rtype: e.rtype.to_owned(),
                        id: id.clone(),
                        body,
                    }
                } else {
                    Write::Put {
                        rtype: e.rtype.to_owned(),
                        id: id.clone(),
                        body,
                        if_match: e.if_match,
                    }
                });
                plan.push(Some(writes.len() - 1));
            }
            ("DELETE", Some((id, _))) => {
                writes.push(Write::Delete {
                    rtype: e.rtype.to_owned(),
                    id: id.clone(),
                });
                plan.push(Some(writes.len() - 1));
            }
            _ => plan.push(None),
        }
    }
    let if_match: Vec<bool> = writes
        .iter()
        .map(|w| {
            matches!(
                w,
                Write::Put {
                    if_match: Some(_),
                    ..
                }
            )
        })
        .collect();
    let entry_of: Vec<usize> = plan
        .iter()
        .enumerate()
        .filter_map(|(entry, w)| w.map(|_| entry))
        .collect();
    let written = state
        .store
        .write_all_indexed(ctx, writes, guards)
        .await
        .map_err(|e| match e.index {
            Some(w) => at(
                entry_of[w],
                interactions::precondition_if(if_match[w], e.error),
            ),
            None => FhirError::from(e.error),
        })?;
    let base = format!("{}/fhir/R4", state.config.public_url);
    let mut out = Vec::new();
    for (i, (e, p)) in entries.iter().zip(plan).enumerate() {
        let entry = match p.map(|k| &written[k]) {
            Some(Written::Put { resource, created }) => put_entry(
                &base,
                resource,
                if *created { "201 Created" } else { "200 OK" },
                ret,
            ),
            Some(Written::Deleted { .. }) => {
                value_entry(&json!({"response": {"status": "204 No Content"}}))
            }
            None if e.method == "POST" => {
                let (id, _) = targets[i].clone().unwrap_or_default();
                value_entry(
                    &json!({"response": {"status": "200 OK", "location": format!("{}/{id}", e.rtype)}}),
                )
            }
            None if e.method == "GET" => match unreadable.remove(&i) {
                Some(err) => error_entry(err),
                None => read_entry(state, ctx, &base, e).await,
            },
            None => value_entry(&json!({"response": {"status": "204 No Content"}})),
        };
        out.push(entry);
    }
    Ok(out)
}
