//! Visits: open (Encounter `in-progress` with the author as primary performer), document (the
//! SOAP note, `Composition/<encounter id>`), close (`finished`, `period.end`), and amend a
//! closed visit's note: a new Composition version with status `amended` and the reason on it,
//! plus a Provenance naming who, when and which version it revises, in one transaction.
//! Nothing is overwritten: every version stays in `_history`, which [`history`] returns.

use super::ClinicalError;
use super::common::{
    Result, as_system, author, author_of, ensure_may, json_of, new_id, patient, patient_of,
    patient_ref, read, role, search_all,
};
use super::notes::{composition, reason_of, sections_of};
use cartella_core::access::{Action, Decision};
use cartella_core::clinical::codes::{ACT_CODE, DATA_OPERATION, PARTICIPATION_TYPE};
use cartella_core::clinical::inputs::EncounterInput;
use cartella_core::clinical::notes::{SoapInput, amendment_reason};
use cartella_core::clinical::{Problems, time};
use cartella_store::model::HistoryQuery;
use cartella_store::store::{Write, WriteOptions, Written};
use cartella_store::{AccessContext, Store, StoreError};
use serde::Serialize;
use serde_json::{Value, json};

const ENCOUNTER: &str = "Encounter";
const COMPOSITION: &str = "Composition";

/// A visit with its note, as the API returns it.
#[derive(Debug, Serialize)]
pub struct Visit {
    pub id: String,
    pub version: i64,
    pub status: String,
    pub encounter: Value,
    /// The current note (`null` before the first save).
    pub note: Option<Value>,
    pub note_version: Option<i64>,
}

pub async fn open(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    input: &EncounterInput,
) -> Result<Visit> {
    ensure_may(store, ctx, ENCOUNTER, Action::Write).await?;
    patient(store, ctx, patient_id).await?;
    let valid = input.validate(jiff::Timestamp::now())?;
    let start = time::fhir(valid.start);
    let (code, display) = valid.class;
    let mut body = json!({
        "resourceType": ENCOUNTER,
        "status": "in-progress",
        "class": {"system": ACT_CODE, "code": code, "display": display},
        "subject": patient_ref(patient_id),
        "participant": [{
            "type": [
                {"coding": [{"system": PARTICIPATION_TYPE, "code": "PPRF", "display": "primary performer"}]},
                role(ctx),
            ],
            "period": {"start": start},
            "individual": author(ctx),
        }],
        "period": {"start": start},
    });
    if let Some(r) = valid.reason {
        body["reasonCode"] = json!([{"text": r}]);
    }
    let out = store
        .create(ctx, ENCOUNTER, body, WriteOptions::default())
        .await?;
    visit(json_of(&out.resource)?, out.resource.version, None)
}

fn visit(encounter: Value, version: i64, note: Option<(Value, i64)>) -> Result<Visit> {
    let (note, note_version) = match note {
        Some((n, v)) => (Some(note_view(&n)), Some(v)),
        None => (None, None),
    };
    Ok(Visit {
        id: encounter["id"].as_str().unwrap_or_default().to_owned(),
        version,
        status: encounter["status"].as_str().unwrap_or_default().to_owned(),
        encounter,
        note,
        note_version,
    })
}

/// The note as the API shows it: sections, status, author, reason.
fn note_view(c: &Value) -> Value {
    let (user, role) = author_of(&c["author"][0]);
    json!({
        "status": c["status"],
        "date": c["date"],
        "author": user,
        "role": role,
        "amendment_reason": reason_of(c),
        "sections": sections_of(c),
    })
}

async fn current_note(
    store: &Store,
    ctx: &AccessContext,
    id: &str,
) -> Result<Option<(Value, i64)>> {
    match read(store, ctx, COMPOSITION, id, "note").await {
        Ok((s, v)) => Ok(Some((v, s.version))),
        Err(ClinicalError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn get(store: &Store, ctx: &AccessContext, id: &str) -> Result<Visit> {
    let (s, e) = read(store, ctx, ENCOUNTER, id, "encounter").await?;
    let note = current_note(store, ctx, id).await?;
    visit(e, s.version, note)
}

/// The patient's visits, newest first (without notes).
pub async fn list(store: &Store, ctx: &AccessContext, patient_id: &str) -> Result<Vec<Value>> {
    patient(store, ctx, patient_id).await?;
    let mut all = search_all(
        store,
        ctx,
        ENCOUNTER,
        &[("patient", patient_id.to_owned())],
        10_000,
    )
    .await?;
    all.sort_by(|a, b| {
        b["period"]["start"]
            .as_str()
            .cmp(&a["period"]["start"].as_str())
    });
    Ok(all)
}

/// Save the note. While the visit is in progress each save is a draft (`preliminary`); once it
/// is closed, the first note is `final` and any later change is an amendment that needs
/// `reason`.
pub async fn document(
    store: &Store,
    ctx: &AccessContext,
    id: &str,
    note: &SoapInput,
    reason: Option<&str>,
) -> Result<Visit> {
    ensure_may(store, ctx, COMPOSITION, Action::Write).await?;
    let (es, enc) = read(store, ctx, ENCOUNTER, id, "encounter").await?;
    let mut problems = Problems::default();
    let note = match note.validate() {
        Ok(n) => Some(n),
        Err(e) => {
            problems.0.extend(e);
            None
        }
    };
    let status = enc["status"].as_str().unwrap_or("");
    let existing = current_note(store, ctx, id).await?;
    let amending = status == "finished" && existing.is_some();
    let reason = if amending {
        amendment_reason(&mut problems, reason)
    } else {
        None
    };
    if !problems.is_empty() {
        return Err(ClinicalError::Validation(problems.0));
    }
    let note = note.unwrap_or_default();
    if !matches!(status, "in-progress" | "finished") {
        return Err(ClinicalError::State(format!(
            "a visit that is {status} cannot be documented"
        )));
    }
    let patient_id = patient_of(&enc).unwrap_or_default().to_owned();
    let comp_status = match (status, amending) {
        ("in-progress", _) => "preliminary",
        (_, true) => "amended",
        _ => "final",
    };
    let now = time::fhir(jiff::Timestamp::now());
    let body = composition(
        id,
        &patient_id,
        &note,
        comp_status,
        author(ctx),
        &now,
        reason.as_deref(),
    );
    let prev = existing.as_ref().map(|(_, v)| *v);
    let mut writes = vec![Write::Put {
        rtype: COMPOSITION.into(),
        id: id.to_owned(),
        body,
        if_match: prev,
    }];
    if let (true, Some(prev)) = (amending, prev) {
        writes.push(provenance(ctx, id, prev, &now));
    }
    // The Provenance is generated here, never sent by a client: it is written with the
    // system's rights (clinicians may not write security resources), after the caller's own
    // right to write the note was checked above. Audit rows still name the caller.
    let ctx_w = if amending {
        if ctx.principal.decide(COMPOSITION, Action::Write) != Decision::Allow {
            return Err(ClinicalError::Forbidden(
                "not allowed: amendments need full write rights on the record".into(),
            ));
        }
        as_system(ctx)
    } else {
        ctx.clone()
    };
    let written = store.write_all(&ctx_w, writes).await.map_err(stale)?;
    let note = match written.into_iter().next() {
        Some(Written::Put { resource, .. }) => Some((json_of(&resource)?, resource.version)),
        _ => None,
    };
    visit(enc, es.version, note)
}

/// Who amended which version, when (the reason text stays on the note version itself, inside
/// the patient's compartment, so erasing the patient erases it).
fn provenance(ctx: &AccessContext, id: &str, prev: i64, now: &str) -> Write {
    let body = json!({
        "resourceType": "Provenance",
        "target": [{"reference": format!("Composition/{id}/_history/{}", prev + 1)}],
        "recorded": now,
        "activity": {"coding": [{"system": DATA_OPERATION, "code": "UPDATE", "display": "revise"}]},
        "reason": [{"text": "amendment of a closed visit note; the reason is on the amended version"}],
        "agent": [{"role": [role(ctx)], "who": author(ctx)}],
        "entity": [{"role": "revision", "what": {"reference": format!("Composition/{id}/_history/{prev}")}}],
    });
    Write::Put {
        rtype: "Provenance".into(),
        id: new_id(),
        body,
        if_match: None,
    }
}

fn stale(e: StoreError) -> ClinicalError {
    match e {
        StoreError::VersionConflict { .. } => {
            ClinicalError::State("the note was changed meanwhile; reload and try again".into())
        }
        e => e.into(),
    }
}

/// Close the visit: `finished`, `period.end` (now, or `end`), and the draft note becomes final.
pub async fn close(
    store: &Store,
    ctx: &AccessContext,
    id: &str,
    end: Option<&str>,
) -> Result<Visit> {
    ensure_may(store, ctx, ENCOUNTER, Action::Write).await?;
    let (es, mut enc) = read(store, ctx, ENCOUNTER, id, "encounter").await?;
    if enc["status"] != "in-progress" {
        return Err(ClinicalError::State(format!(
            "only a visit in progress can be closed (this one is {})",
            enc["status"].as_str().unwrap_or("unknown")
        )));
    }
    let mut p = Problems::default();
    let end_t = time::when(&mut p, "end", end, jiff::Timestamp::now());
    let end = time::fhir(end_t);
    if enc["period"]["start"]
        .as_str()
        .is_some_and(|s| s > end.as_str())
    {
        p.push(
            "end",
            "before_start",
            "The visit cannot end before it started.",
        );
    }
    p.into_result(())?;
    enc["status"] = json!("finished");
    enc["period"]["end"] = json!(end);
    if let Some(parts) = enc["participant"].as_array_mut() {
        for part in parts.iter_mut().filter(|p| p["period"]["end"].is_null()) {
            part["period"]["end"] = json!(end);
        }
    }
    let mut writes = vec![Write::Put {
        rtype: ENCOUNTER.into(),
        id: id.to_owned(),
        body: enc,
        if_match: Some(es.version),
    }];
    let note = current_note(store, ctx, id).await?;
    if let Some((mut c, v)) = note.clone() {
        c["status"] = json!("final");
        writes.push(Write::Put {
            rtype: COMPOSITION.into(),
            id: id.to_owned(),
            body: c,
            if_match: Some(v),
        });
    }
    let written = store.write_all(ctx, writes).await.map_err(stale)?;
    let mut it = written.into_iter().filter_map(|w| match w {
        Written::Put { resource, .. } => Some(resource),
        Written::Deleted { .. } => None,
    });
    let e = it
        .next()
        .ok_or_else(|| ClinicalError::Invalid("nothing written".into()))?;
    let n = match it.next() {
        Some(r) => Some((json_of(&r)?, r.version)),
        None => None,
    };
    visit(json_of(&e)?, e.version, n)
}

/// Every version of the visit and of its note, newest first.
pub async fn history(store: &Store, ctx: &AccessContext, id: &str) -> Result<Value> {
    read(store, ctx, ENCOUNTER, id, "encounter").await?;
    let versions = |rtype: &'static str| HistoryQuery {
        tenant: ctx.tenant.clone(),
        rtype: Some(rtype.into()),
        id: Some(id.to_owned()),
        since: None,
        before_row: None,
        limit: 1_000,
    };
    let mut out = json!({});
    for (key, rtype) in [("note", COMPOSITION), ("encounter", ENCOUNTER)] {
        let rows = store.history(ctx, versions(rtype)).await?;
        let list: Vec<Value> = rows
            .iter()
            .map(|h| {
                let body: Value = h
                    .json
                    .as_deref()
                    .and_then(|j| serde_json::from_slice(j).ok())
                    .unwrap_or(Value::Null);
                let mut v = if rtype == COMPOSITION {
                    note_view(&body)
                } else {
                    json!({"status": body["status"], "period": body["period"]})
                };
                v["version"] = json!(h.version);
                v["last_updated"] = json!(h.last_updated.to_string());
                v
            })
            .collect();
        out[key] = json!(list);
    }
    Ok(out)
}
