//! Read views for the scheduling pages: appointments in a time range (optionally of one
//! actor) or of one patient, with the patient's display name, and every Schedule and
//! appointment type of the practice including inactive ones (the admin lists show them).
//! Reads only: the writes go through [`super::service`].

use cartella_core::scheduling::Span;
use cartella_core::scheduling::appointment::{parse_instant, participant_actors};
use cartella_core::scheduling::zone;
use cartella_store::{AccessContext, Store, StoreError, StoredResource};
use jiff::tz::TimeZone;
use serde_json::Value;

/// Extension on an Appointment: the video-call link of a telemedicine visit (`valueUrl`).
pub const TELEMEDICINE_URL: &str =
    "https://cartella.dev/fhir/StructureDefinition/telemedicine-link";

/// One appointment as the pages show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    pub id: String,
    pub version: i64,
    pub status: String,
    /// µs since the epoch; `None` for a proposal without time.
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// The appointment type code.
    pub kind: Option<String>,
    /// The patient's id (not the reference).
    pub patient: Option<String>,
    pub patient_name: String,
    /// Non-patient participants (`Practitioner/x`, `Location/y`).
    pub resources: Vec<String>,
    pub description: String,
    pub telemedicine: Option<String>,
    pub cancel_reason: String,
}

/// The pages' view of a stored Appointment body.
pub fn entry(id: &str, version: i64, body: &Value) -> Entry {
    let at = |k: &str| body.get(k).and_then(Value::as_str).and_then(parse_instant);
    let actors = participant_actors(body);
    let text = |p: &str| {
        body.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    Entry {
        id: id.to_owned(),
        version,
        status: text("/status"),
        start: at("start"),
        end: at("end"),
        kind: body
            .pointer("/appointmentType/coding/0/code")
            .and_then(Value::as_str)
            .map(str::to_owned),
        patient: actors
            .iter()
            .find_map(|a| a.strip_prefix("Patient/"))
            .map(str::to_owned),
        patient_name: String::new(),
        resources: actors
            .iter()
            .filter(|a| !a.starts_with("Patient/"))
            .cloned()
            .collect(),
        description: text("/description"),
        telemedicine: body
            .get("extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|e| e.get("url").and_then(Value::as_str) == Some(TELEMEDICINE_URL))
            .and_then(|e| e.get("valueUrl"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        cancel_reason: text("/cancelationReason/text"),
    }
}

/// Every page of a search (with its included resources).
async fn search_all(
    store: &Store,
    ctx: &AccessContext,
    rtype: &str,
    params: Vec<(String, String)>,
) -> Result<(Vec<StoredResource>, Vec<StoredResource>), StoreError> {
    let (mut found, mut included) = (Vec::new(), Vec::new());
    let mut page_params = params.clone();
    loop {
        let page = store.search(ctx, rtype, &page_params).await?;
        found.extend(page.resources);
        included.extend(page.included);
        match page.next {
            Some(c) => {
                page_params = params.clone();
                page_params.push(("_cursor".into(), c));
            }
            None => return Ok((found, included)),
        }
    }
}

fn parse(r: &StoredResource) -> Result<Value, StoreError> {
    serde_json::from_slice(&r.json).map_err(|e| StoreError::Internal(e.to_string()))
}

/// Entries of the found Appointments, patient names filled from the included Patients,
/// sorted by start.
fn entries(
    found: &[StoredResource],
    included: &[StoredResource],
) -> Result<Vec<Entry>, StoreError> {
    let mut out = Vec::new();
    for r in found {
        let mut e = entry(&r.id, r.version, &parse(r)?);
        if let Some(p) = &e.patient
            && let Some(pr) = included.iter().find(|i| i.rtype == "Patient" && &i.id == p)
        {
            e.patient_name = crate::web::pages::home::person_name(&parse(pr)?);
        }
        out.push(e);
    }
    out.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    Ok(out)
}

/// Appointments starting in `span` (any status), of `actor` when given.
pub async fn between(
    store: &Store,
    ctx: &AccessContext,
    span: Span,
    actor: Option<&str>,
) -> Result<Vec<Entry>, StoreError> {
    let utc = TimeZone::UTC;
    let mut params = vec![
        (
            "date".to_owned(),
            format!("ge{}", zone::format_local(span.start, &utc)),
        ),
        (
            "date".to_owned(),
            format!("lt{}", zone::format_local(span.end, &utc)),
        ),
        ("_count".to_owned(), "200".to_owned()),
        ("_include".to_owned(), "Appointment:patient".to_owned()),
    ];
    if let Some(a) = actor {
        params.push(("actor".to_owned(), a.to_owned()));
    }
    let (found, included) = search_all(store, ctx, "Appointment", params).await?;
    entries(&found, &included)
}

/// Every appointment of a patient, any status, oldest first.
pub async fn of_patient(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
) -> Result<Vec<Entry>, StoreError> {
    let params = vec![
        ("patient".to_owned(), format!("Patient/{patient_id}")),
        ("_count".to_owned(), "200".to_owned()),
        ("_include".to_owned(), "Appointment:patient".to_owned()),
    ];
    let (found, included) = search_all(store, ctx, "Appointment", params).await?;
    entries(&found, &included)
}

/// Every stored resource of `rtype` (Schedule, ActivityDefinition) as `(id, version, body)`,
/// active or not.
pub async fn all(
    store: &Store,
    ctx: &AccessContext,
    rtype: &str,
) -> Result<Vec<(String, i64, Value)>, StoreError> {
    let (found, _) = search_all(store, ctx, rtype, vec![("_count".into(), "500".into())]).await?;
    found
        .iter()
        .map(|r| Ok((r.id.clone(), r.version, parse(r)?)))
        .collect()
}

/// Display name of each Schedule's actor (`actor[0].display`, else the reference itself).
pub fn actor_names(schedules: &[(String, i64, Value)]) -> Vec<(String, String)> {
    schedules
        .iter()
        .filter_map(|(_, _, s)| {
            let reference = s.pointer("/actor/0/reference").and_then(Value::as_str)?;
            let actor = cartella_core::scheduling::appointment::relative_reference(reference)?;
            let name = s
                .pointer("/actor/0/display")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| actor.clone());
            Some((actor, name))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entry_reads_times_people_and_link() {
        let body = json!({
            "resourceType": "Appointment", "status": "booked",
            "start": "2026-03-30T09:00:00+02:00", "end": "2026-03-30T09:30:00+02:00",
            "appointmentType": {"coding": [{"code": "visit"}]},
            "extension": [{"url": TELEMEDICINE_URL, "valueUrl": "https://meet.example/x"}],
            "participant": [
                {"actor": {"reference": "Patient/p1"}},
                {"actor": {"reference": "Practitioner/d1"}},
                {"actor": {"reference": "Location/r1"}, "status": "declined"}
            ]
        });
        let e = entry("a1", 3, &body);
        assert_eq!(e.start, parse_instant("2026-03-30T07:00:00Z"));
        assert_eq!(e.patient.as_deref(), Some("p1"));
        assert_eq!(e.resources, vec!["Practitioner/d1"]);
        assert_eq!(e.kind.as_deref(), Some("visit"));
        assert_eq!(e.telemedicine.as_deref(), Some("https://meet.example/x"));
    }

    #[test]
    fn actor_names_prefer_the_display() {
        let s = vec![
            (
                "s1".into(),
                1,
                json!({"actor": [{"reference": "Location/r1", "display": "Room 1"}]}),
            ),
            (
                "s2".into(),
                1,
                json!({"actor": [{"reference": "Device/x"}]}),
            ),
        ];
        assert_eq!(
            actor_names(&s),
            vec![
                ("Location/r1".into(), "Room 1".into()),
                ("Device/x".into(), "Device/x".into())
            ]
        );
    }
}
