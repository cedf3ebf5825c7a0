//! Vital signs: record a set (all valid or nothing saved), with alerts returned and stored as
//! Flags; the active alerts of a patient; a series per code for charts. Imports from devices
//! can reuse [`prepare`] row by row and write everything in one transaction.

pub mod alerts;
pub mod import;
mod measure;
pub mod observation;
pub mod series;

use super::ClinicalError;
use super::common::{
    Result, author, encounter_of_patient, ensure_may, new_id, patient, search_all,
};
use alerts::VitalAlert;
use cartella_core::access::Action;
use cartella_core::clinical::codes::LOINC;
use cartella_core::clinical::vitals::{VitalKind, VitalsInput, bmi};
use cartella_core::clinical::{ClinicalFieldError, time};
use cartella_store::store::Write;
use cartella_store::{AccessContext, Store};
use cartella_terminology::loinc::AgeGroup;
use jiff::civil::Date;
use measure::{Measured, age_group, assess, measure};
use observation::{Context, effective_of, observation, value_of};
use serde::Serialize;
use serde_json::{Value, json};

/// Keys of a vitals body that are not measures.
pub const META_FIELDS: [&str; 2] = ["encounter", "device"];

/// One saved value, as the API lists it.
#[derive(Debug, Clone, Serialize)]
pub struct SavedValue {
    pub observation: String,
    pub field: &'static str,
    pub code: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub flag: Option<&'static str>,
}

#[derive(Debug, Default, Serialize)]
pub struct Recorded {
    pub effective: String,
    pub values: Vec<SavedValue>,
    pub alerts: Vec<VitalAlert>,
}

/// Record one set of vitals for a patient (optionally in a visit, optionally from a device).
pub async fn record(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    input: &VitalsInput,
) -> Result<Recorded> {
    ensure_may(store, ctx, "Observation", Action::Write).await?;
    let birth = patient(store, ctx, patient_id).await?;
    let (writes, recorded) = prepare(store, ctx, patient_id, birth, input)
        .await?
        .map_err(ClinicalError::Validation)?;
    store.write_all(ctx, writes).await?;
    Ok(recorded)
}

fn meta<'a>(input: &'a VitalsInput, key: &str) -> Option<&'a str> {
    input
        .values
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Validates a set and builds its writes (Observations, then Flags); field problems are the
/// inner `Err`, so an import can collect them per row.
pub(super) async fn prepare(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    birth: Option<Date>,
    input: &VitalsInput,
) -> Result<std::result::Result<(Vec<Write>, Recorded), Vec<ClinicalFieldError>>> {
    let (checked, mut p) = input.check(jiff::Timestamp::now(), &META_FIELDS);
    let at = checked.effective;
    let group = age_group(birth, at);
    let mut measured: Vec<Measured> = checked
        .readings
        .iter()
        .filter_map(|r| measure(&mut p, r, group))
        .collect();
    let encounter = meta(input, "encounter");
    let device = meta(input, "device");
    if device.is_some_and(|d| d.chars().count() > 200) {
        p.push("device", "too_long", "At most 200 characters.");
    }
    if let Some(e) = encounter {
        match encounter_of_patient(store, ctx, e, patient_id).await {
            Ok(_) => {}
            Err(ClinicalError::Validation(v)) => p.0.extend(v),
            Err(e) => return Err(e),
        }
    }
    if !p.is_empty() {
        return Ok(Err(p.0));
    }
    let find = |m: &[Measured], k: VitalKind| m.iter().find(|x| x.kind == k).map(|x| x.value);
    let height = match find(&measured, VitalKind::Height) {
        Some(h) => Some((h, None)),
        None if find(&measured, VitalKind::Weight).is_some() && adult(group) => {
            latest_height(store, ctx, patient_id, at).await?
        }
        None => None,
    };
    if let (Some(w), Some((h, _)), None) = (
        find(&measured, VitalKind::Weight),
        height.as_ref(),
        find(&measured, VitalKind::Bmi),
    ) && let Some(b) = bmi(w, *h)
        && let Some(m) = assess(&mut p, VitalKind::Bmi, b, group)
    {
        measured.push(m);
    }
    if !p.is_empty() {
        return Ok(Err(p.0));
    }
    let effective = time::fhir(at);
    let obs_ctx = Context {
        patient: patient_id,
        encounter,
        effective: &effective,
        performer: author(ctx),
        device,
    };
    let mut writes = Vec::new();
    let mut recorded = Recorded {
        effective: effective.clone(),
        ..Default::default()
    };
    let mut ids: Vec<(VitalKind, String)> = Vec::new();
    let bp: Vec<&Measured> = measured
        .iter()
        .filter(|m| m.kind.is_blood_pressure())
        .collect();
    let mut groups: Vec<Vec<&Measured>> = measured
        .iter()
        .filter(|m| !m.kind.is_blood_pressure() && m.kind != VitalKind::Bmi)
        .map(|m| vec![m])
        .collect();
    if !bp.is_empty() {
        let mut bp = bp;
        // Systolic first, as the BP profile lists its components.
        bp.sort_by_key(|m| m.kind);
        groups.insert(0, bp);
    }
    // BMI last, so it can point at the weight and height it was computed from.
    groups.extend(
        measured
            .iter()
            .filter(|m| m.kind == VitalKind::Bmi)
            .map(|m| vec![m]),
    );
    for g in groups {
        let id = new_id();
        let derived: Vec<String> = if g[0].kind == VitalKind::Bmi {
            let mut d: Vec<String> = ids
                .iter()
                .filter(|(k, _)| matches!(k, VitalKind::Weight | VitalKind::Height))
                .map(|(_, i)| i.clone())
                .collect();
            d.extend(height.as_ref().and_then(|(_, from)| from.clone()));
            d
        } else {
            Vec::new()
        };
        writes.push(Write::Put {
            rtype: "Observation".into(),
            id: id.clone(),
            body: observation(&id, &obs_ctx, &g, &derived),
            if_match: None,
        });
        for m in g {
            ids.push((m.kind, id.clone()));
            recorded.values.push(SavedValue {
                observation: id.clone(),
                field: m.kind.field(),
                code: m.kind.loinc(),
                value: m.value,
                unit: m.kind.unit(),
                flag: m.flag.map(|f| f.code()),
            });
            recorded.alerts.extend(alerts::out_of_range(m, group, &id));
            if let Some(prev) = alerts::previous(store, ctx, patient_id, m.kind, at).await? {
                recorded
                    .alerts
                    .extend(alerts::sharp_change(m, prev, at, &id));
            }
        }
    }
    for a in &recorded.alerts {
        writes.push(Write::Put {
            rtype: "Flag".into(),
            id: a.flag_id.clone(),
            body: alerts::flag(a, patient_id, encounter, &effective, author(ctx)),
            if_match: None,
        });
    }
    Ok(Ok((writes, recorded)))
}

fn adult(g: AgeGroup) -> bool {
    matches!(g, AgeGroup::Adult | AgeGroup::Elderly)
}

/// An adult's latest height of the last two years, for BMI when only weight is measured:
/// `(cm, Observation id)`.
async fn latest_height(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    at: jiff::Timestamp,
) -> Result<Option<(f64, Option<String>)>> {
    let since = at - jiff::SignedDuration::from_hours(2 * 366 * 24);
    let params = [
        ("patient", patient_id.to_owned()),
        ("code", format!("{LOINC}|{}", VitalKind::Height.loinc())),
        ("date", format!("ge{}", time::fhir(since))),
    ];
    let found = search_all(store, ctx, "Observation", &params, 1_000).await?;
    Ok(found
        .iter()
        .filter_map(|o| {
            let v = value_of(o, VitalKind::Height.loinc())?["value"].as_f64()?;
            Some((effective_of(o)?, v, o["id"].as_str()?.to_owned()))
        })
        .filter(|(t, _, _)| *t <= at)
        .max_by_key(|(t, _, _)| *t)
        .map(|(_, v, id)| (v, Some(id))))
}

/// The patient's active alerts (Flags), newest first, for the chart header.
pub async fn active_alerts(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
) -> Result<Vec<Value>> {
    patient(store, ctx, patient_id).await?;
    let params = [
        ("patient", patient_id.to_owned()),
        ("status", "active".to_owned()),
    ];
    let mut flags = search_all(store, ctx, "Flag", &params, 1_000).await?;
    flags.sort_by(|a, b| {
        b["period"]["start"]
            .as_str()
            .cmp(&a["period"]["start"].as_str())
    });
    Ok(flags
        .iter()
        .map(|f| {
            json!({
                "id": f["id"],
                "kind": f["code"]["coding"][0]["code"],
                "message": f["code"]["text"],
                "since": f["period"]["start"],
                "source": f["extension"][0]["valueReference"]["reference"],
            })
        })
        .collect())
}

/// Acknowledge an alert: the Flag becomes `inactive` with an end (a new version; history keeps
/// the active one).
pub async fn acknowledge(store: &Store, ctx: &AccessContext, flag_id: &str) -> Result<Value> {
    ensure_may(store, ctx, "Flag", Action::Write).await?;
    let (s, mut f) = super::common::read(store, ctx, "Flag", flag_id, "alert").await?;
    if f["status"] != "active" {
        return Err(ClinicalError::State("the alert is not active".into()));
    }
    f["status"] = json!("inactive");
    f["period"]["end"] = json!(time::fhir(jiff::Timestamp::now()));
    let opts = cartella_store::store::WriteOptions {
        if_match: Some(s.version),
        ..Default::default()
    };
    let out = store.update(ctx, "Flag", flag_id, f, opts).await?;
    super::common::json_of(&out.resource)
}
