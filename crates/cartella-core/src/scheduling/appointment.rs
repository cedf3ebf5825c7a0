//! Which time an Appointment holds, for whom: the rule behind the `bookings` table.
//!
//! An Appointment whose status holds time (`proposed`, `pending`, `booked`, `arrived`,
//! `fulfilled`, `checked-in`) holds `[start, end)` for every participant actor, except
//! participants that `declined` or are `information-only` (the escape hatch for actors that are
//! not capacity-one, e.g. a HealthcareService named for information). Non-patient actors also
//! hold the appointment's buffers (preparation before, changeover after); the patient does not:
//! a room needs cleaning after a visit, the patient does not.
//!
//! Patients are held like any other actor, so a patient cannot be double-booked either: a
//! person cannot be in two rooms at once, and the issue lists "patient already booked" as a
//! conflict.

use super::Span;
use crate::DomainError;
use serde_json::Value;

/// Minutes an actor is held before `start` (preparation), on the Appointment.
pub const BUFFER_BEFORE_URL: &str =
    "https://cartella.dev/fhir/StructureDefinition/buffer-before-minutes";
/// Minutes an actor is held after `end` (changeover, cleaning), on the Appointment.
pub const BUFFER_AFTER_URL: &str =
    "https://cartella.dev/fhir/StructureDefinition/buffer-after-minutes";

/// The longest buffer accepted (one day), so a typo cannot block a resource for years.
const MAX_BUFFER_MINUTES: i64 = 24 * 60;

/// One span of time held by one actor (`Practitioner/abc`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldTime {
    pub actor: String,
    pub span: Span,
}

/// Whether an appointment in `status` keeps its participants busy.
pub fn holds_time(status: &str) -> bool {
    matches!(
        status,
        "proposed" | "pending" | "booked" | "arrived" | "fulfilled" | "checked-in"
    )
}

/// Parse a FHIR `instant`/`dateTime` with an offset into µs since the epoch.
pub fn parse_instant(raw: &str) -> Option<i64> {
    raw.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_microsecond())
}

/// The times `appointment` holds, one per actor (deduplicated). Invalid timing on an
/// appointment that holds time is an error: such a write must not be stored.
pub fn held_times(appointment: &Value) -> Result<Vec<HeldTime>, DomainError> {
    let status = appointment
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !holds_time(status) {
        return Ok(Vec::new());
    }
    let time = |field: &str| -> Result<Option<i64>, DomainError> {
        match appointment.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => parse_instant(s).map(Some).ok_or_else(|| {
                DomainError::Invalid(format!(
                    "Appointment.{field} must be an instant with a time zone offset"
                ))
            }),
            Some(_) => Err(DomainError::Invalid(format!(
                "Appointment.{field} must be a string"
            ))),
        }
    };
    let (start, end) = match (time("start")?, time("end")?) {
        (Some(s), Some(e)) => (s, e),
        (None, None) if status == "proposed" => return Ok(Vec::new()),
        (None, None) => {
            return Err(DomainError::Invalid(format!(
                "an Appointment with status '{status}' needs start and end"
            )));
        }
        _ => {
            return Err(DomainError::Invalid(
                "Appointment.start and Appointment.end must be given together".into(),
            ));
        }
    };
    if end <= start {
        return Err(DomainError::Invalid(
            "Appointment.end must be after Appointment.start".into(),
        ));
    }
    let before = buffer_minutes(appointment, BUFFER_BEFORE_URL)? * 60_000_000;
    let after = buffer_minutes(appointment, BUFFER_AFTER_URL)? * 60_000_000;
    let mut out: Vec<HeldTime> = Vec::new();
    for actor in participant_actors(appointment) {
        if out.iter().any(|h| h.actor == actor) {
            continue;
        }
        let span = if actor.starts_with("Patient/") {
            Span::new(start, end)
        } else {
            Span::new(start - before, end + after)
        };
        out.push(HeldTime { actor, span });
    }
    Ok(out)
}

/// The buffer extension's minutes (0 when absent).
pub fn buffer_minutes(resource: &Value, url: &str) -> Result<i64, DomainError> {
    let Some(ext) = extension(resource, url) else {
        return Ok(0);
    };
    match ext.get("valueInteger").and_then(Value::as_i64) {
        Some(m) if (0..=MAX_BUFFER_MINUTES).contains(&m) => Ok(m),
        _ => Err(DomainError::Invalid(format!(
            "extension {url} needs a valueInteger between 0 and {MAX_BUFFER_MINUTES}"
        ))),
    }
}

/// The first extension with `url` on `resource`.
pub fn extension<'a>(resource: &'a Value, url: &str) -> Option<&'a Value> {
    resource
        .get("extension")?
        .as_array()?
        .iter()
        .find(|e| e.get("url").and_then(Value::as_str) == Some(url))
}

/// `Type/id` of every participant that takes part (not declined, not information-only).
/// Absolute references keep their last two segments; contained (`#x`) ones hold nothing.
pub fn participant_actors(appointment: &Value) -> Vec<String> {
    let Some(list) = appointment.get("participant").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter(|p| p.get("status").and_then(Value::as_str) != Some("declined"))
        .filter(|p| p.get("required").and_then(Value::as_str) != Some("information-only"))
        .filter_map(|p| p.pointer("/actor/reference").and_then(Value::as_str))
        .filter_map(relative_reference)
        .collect()
}

/// `Practitioner/1` from `Practitioner/1`, `https://x/fhir/Practitioner/1` or
/// `Practitioner/1/_history/2`; `None` for contained or malformed references.
pub fn relative_reference(raw: &str) -> Option<String> {
    let raw = raw.split("/_history/").next()?;
    let mut parts = raw.rsplit('/');
    let id = parts.next()?;
    let rtype = parts.next()?;
    let typed = rtype.chars().next()?.is_ascii_uppercase();
    (typed && !id.is_empty() && !id.starts_with('#')).then(|| format!("{rtype}/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn appt(status: &str) -> Value {
        json!({
            "resourceType": "Appointment", "status": status,
            "start": "2026-05-04T09:00:00+02:00", "end": "2026-05-04T09:30:00+02:00",
            "extension": [{"url": BUFFER_AFTER_URL, "valueInteger": 10}],
            "participant": [
                {"actor": {"reference": "Patient/p1"}, "status": "accepted"},
                {"actor": {"reference": "Practitioner/d1"}, "status": "accepted"},
                {"actor": {"reference": "Location/r1"}, "status": "declined"},
                {"actor": {"reference": "HealthcareService/h"}, "required": "information-only"},
                {"actor": {"reference": "Practitioner/d1"}}
            ]
        })
    }

    #[test]
    fn booked_appointment_holds_each_actor_once_with_buffers_for_resources() {
        let held = held_times(&appt("booked")).unwrap();
        let start = parse_instant("2026-05-04T07:00:00Z").unwrap();
        let min = 60_000_000;
        assert_eq!(
            held,
            vec![
                HeldTime {
                    actor: "Patient/p1".into(),
                    span: Span::new(start, start + 30 * min)
                },
                HeldTime {
                    actor: "Practitioner/d1".into(),
                    span: Span::new(start, start + 40 * min)
                },
            ]
        );
    }

    #[test]
    fn released_statuses_hold_nothing() {
        for s in ["cancelled", "noshow", "entered-in-error", "waitlist"] {
            assert!(held_times(&appt(s)).unwrap().is_empty(), "{s}");
        }
    }

    #[test]
    fn bad_timing_is_refused() {
        let mut a = appt("booked");
        a["end"] = json!("2026-05-04T08:00:00+02:00");
        assert!(held_times(&a).unwrap_err().to_string().contains("after"));
        a["end"] = a["start"].clone();
        assert!(held_times(&a).is_err());
        a["start"] = json!("2026-05-04T09:00:00");
        assert!(held_times(&a).unwrap_err().to_string().contains("offset"));
        let mut b = appt("booked");
        b.as_object_mut().unwrap().remove("end");
        assert!(held_times(&b).is_err());
        let mut c = appt("booked");
        c["extension"][0]["valueInteger"] = json!(-5);
        assert!(held_times(&c).is_err());
    }

    #[test]
    fn references_are_made_relative() {
        assert_eq!(
            relative_reference("https://x/fhir/Device/d9/_history/3").as_deref(),
            Some("Device/d9")
        );
        assert_eq!(relative_reference("#contained"), None);
    }
}
