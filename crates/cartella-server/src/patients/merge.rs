//! Merging a duplicate (administrators only): the target keeps its record and gains the
//! source's identifiers it lacks (moved, so an identifier finds one patient) and its telecoms
//! and contacts it lacks (copied); the source becomes inactive and `replaced-by` the target,
//! which `replaces` it. Both writes commit together, with their audit rows, and a `merge` event
//! names the two patients.

use super::error::PatientError;
use super::search::replaced;
use super::service::{PATIENT, PatientRecord, parse, patient_id};
use cartella_core::patient::IdentifierKind;
use cartella_store::store::{Write, Written};
use cartella_store::{AccessContext, Store};
use serde::Serialize;
use serde_json::{Value, json};

type Result<T> = std::result::Result<T, PatientError>;

#[derive(Debug, Clone, Serialize)]
pub struct MergeOutcome {
    /// The surviving patient, after the merge.
    pub target: PatientRecord,
    /// The merged patient, now inactive and `replaced-by` the target.
    pub source: PatientRecord,
    pub moved_identifiers: usize,
}

pub async fn merge(
    store: &Store,
    ctx: &AccessContext,
    source_id: &str,
    target_id: &str,
) -> Result<MergeOutcome> {
    let (source_id, target_id) = (patient_id(source_id)?, patient_id(target_id)?);
    store.authorize_admin(ctx).await?;
    if source_id == target_id {
        return Err(PatientError::Invalid(
            "a patient cannot be merged into itself".into(),
        ));
    }
    let source_stored = store.read(ctx, PATIENT, source_id.as_str()).await?;
    let target_stored = store.read(ctx, PATIENT, target_id.as_str()).await?;
    let (mut source, mut target) = (parse(&source_stored)?, parse(&target_stored)?);
    if replaced(&source) {
        return Err(PatientError::Invalid(
            "this patient was already merged into another".into(),
        ));
    }
    if replaced(&target) {
        return Err(PatientError::Invalid(
            "the target was itself merged into another patient; merge into that one".into(),
        ));
    }
    let moved = move_identifiers(&mut source, &mut target);
    copy_missing(&source, &mut target, "telecom");
    copy_missing(&source, &mut target, "contact");
    source["active"] = json!(false);
    push(&mut source, "link", link(target_id.as_str(), "replaced-by"));
    push(&mut target, "link", link(source_id.as_str(), "replaces"));
    let written = store
        .write_all(
            ctx,
            vec![
                Write::Put {
                    rtype: PATIENT.into(),
                    id: target_id.to_string(),
                    body: target,
                    if_match: Some(target_stored.version),
                },
                Write::Put {
                    rtype: PATIENT.into(),
                    id: source_id.to_string(),
                    body: source,
                    if_match: Some(source_stored.version),
                },
            ],
        )
        .await?;
    for id in [&source_id, &target_id] {
        store
            .audit_access(ctx, "merge", Some((PATIENT, id.as_str())), "success")
            .await?;
    }
    let mut records = written.iter().filter_map(|w| match w {
        Written::Put { resource, .. } => Some(PatientRecord::from_stored(resource)),
        Written::Deleted { .. } => None,
    });
    let target = records.next().ok_or(PatientError::NotFound)??;
    let source = records.next().ok_or(PatientError::NotFound)??;
    Ok(MergeOutcome {
        target,
        source,
        moved_identifiers: moved,
    })
}

fn link(other: &str, kind: &str) -> Value {
    json!({ "other": { "reference": format!("Patient/{other}") }, "type": kind })
}

fn push(resource: &mut Value, key: &str, item: Value) {
    match resource.get_mut(key).and_then(Value::as_array_mut) {
        Some(list) => list.push(item),
        None => resource[key] = json!([item]),
    }
}

/// Move the source's identifiers the target lacks. A national number of a kind the target
/// already has (a different codice fiscale…) stays on the source: one of them is wrong, and a
/// person decides which.
fn move_identifiers(source: &mut Value, target: &mut Value) -> usize {
    let Some(ids) = source.get_mut("identifier").and_then(Value::as_array_mut) else {
        return 0;
    };
    let target_ids = target["identifier"].as_array().cloned().unwrap_or_default();
    let has_kind = |k: IdentifierKind| target_ids.iter().any(|t| t["system"] == k.system());
    let (moving, staying): (Vec<Value>, Vec<Value>) = ids.drain(..).partition(|i| {
        let kind_taken = i["system"]
            .as_str()
            .and_then(IdentifierKind::from_system)
            .is_some_and(has_kind);
        !kind_taken && !target_ids.contains(i)
    });
    *ids = staying;
    let n = moving.len();
    for i in moving {
        push(target, "identifier", i);
    }
    n
}

fn copy_missing(source: &Value, target: &mut Value, key: &str) {
    for item in source[key].as_array().cloned().unwrap_or_default() {
        let present = target[key]
            .as_array()
            .is_some_and(|list| list.contains(&item));
        if !present {
            push(target, key, item);
        }
    }
}
