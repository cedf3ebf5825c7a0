//! The planning model as FHIR resources, so the FHIR API sees and edits it:
//!
//! - **Schedule** per bookable resource: `actor[0]` the resource (Practitioner, Location,
//!   Device…); `serviceType[].coding[]` with system [`ROLE_SYSTEM`] the roles it fills
//!   (`surgeon`, `theatre`, `physio`…); extension [`HOURS_URL`] (`valueString`, repeatable)
//!   weekly hours like `mon-fri 08:00-13:00,14:00-18:00` (none: always open); the standard
//!   `timezone` extension (default: the practice's); extension [`UNAVAILABLE_URL`] (repeatable,
//!   complex: `period` valuePeriod + `reason` valueString) for holidays, leave, maintenance.
//! - **ActivityDefinition** per appointment type (`kind` = `Appointment`): `code.coding[0].code`
//!   the type, `timingDuration` the default duration in minutes, extension [`REQUIRED_ROLE_URL`]
//!   (`valueCode`, repeatable) one per required resource, and the Appointment buffer extensions.

use cartella_core::DomainError;
use cartella_core::scheduling::appointment::{
    BUFFER_AFTER_URL, BUFFER_BEFORE_URL, buffer_minutes, parse_instant,
};
use cartella_core::scheduling::calendar::{Exception, ResourceCalendar, parse_hours};
use cartella_core::scheduling::{MINUTE, Span, zone};
use cartella_store::{AccessContext, Store, StoreError};
use jiff::tz::TimeZone;
use serde_json::Value;

pub const ROLE_SYSTEM: &str = "https://cartella.dev/fhir/CodeSystem/resource-role";
pub const HOURS_URL: &str = "https://cartella.dev/fhir/StructureDefinition/weekly-hours";
pub const UNAVAILABLE_URL: &str = "https://cartella.dev/fhir/StructureDefinition/unavailable";
pub const REQUIRED_ROLE_URL: &str = "https://cartella.dev/fhir/StructureDefinition/required-role";
pub const TIMEZONE_URL: &str = "http://hl7.org/fhir/StructureDefinition/timezone";
pub const TYPE_SYSTEM: &str = "https://cartella.dev/fhir/CodeSystem/appointment-type";

/// An appointment type with its defaults.
#[derive(Debug, Clone)]
pub struct AppointmentType {
    pub code: String,
    pub duration: i64,
    pub roles: Vec<String>,
    pub buffer_before: i64,
    pub buffer_after: i64,
}

/// Everything a planning call needs to know about the practice.
pub struct Model {
    pub tz: TimeZone,
    pub calendars: Vec<ResourceCalendar>,
    pub types: Vec<AppointmentType>,
}

impl Model {
    pub fn calendar(&self, actor: &str) -> Option<&ResourceCalendar> {
        self.calendars.iter().find(|c| c.actor == actor)
    }
    pub fn appointment_type(&self, code: &str) -> Option<&AppointmentType> {
        self.types.iter().find(|t| t.code == code)
    }
}

/// Load every Schedule and appointment type of the tenant (a practice has tens, not
/// thousands: one search each, all pages).
pub async fn load(store: &Store, ctx: &AccessContext, tz: TimeZone) -> Result<Model, StoreError> {
    let mut calendars = Vec::new();
    for s in all(store, ctx, "Schedule").await? {
        if s.get("active").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        calendars.push(calendar(&s, &tz)?);
    }
    let mut types = Vec::new();
    for a in all(store, ctx, "ActivityDefinition").await? {
        if a.get("kind").and_then(Value::as_str) == Some("Appointment") {
            types.push(appointment_type(&a)?);
        }
    }
    Ok(Model {
        tz,
        calendars,
        types,
    })
}

async fn all(store: &Store, ctx: &AccessContext, rtype: &str) -> Result<Vec<Value>, StoreError> {
    let mut out = Vec::new();
    let mut params = vec![("_count".to_owned(), "500".to_owned())];
    loop {
        let page = store.search(ctx, rtype, &params).await?;
        for r in &page.resources {
            out.push(
                serde_json::from_slice(&r.json).map_err(|e| StoreError::Internal(e.to_string()))?,
            );
        }
        match page.next {
            Some(c) => params = vec![("_count".into(), "500".into()), ("_cursor".into(), c)],
            None => return Ok(out),
        }
    }
}

fn invalid(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::InvalidResource(format!("{what}: {e}"))
}

fn extensions<'a>(r: &'a Value, url: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    r.get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(move |e| e.get("url").and_then(Value::as_str) == Some(url))
}

/// A Schedule as a [`ResourceCalendar`]; malformed hours are an error, not silently "open".
pub fn calendar(s: &Value, practice_tz: &TimeZone) -> Result<ResourceCalendar, StoreError> {
    let id = s.get("id").and_then(Value::as_str).unwrap_or("?");
    let what = format!("Schedule/{id}");
    let actor = s
        .pointer("/actor/0/reference")
        .and_then(Value::as_str)
        .and_then(cartella_core::scheduling::appointment::relative_reference)
        .ok_or_else(|| invalid(&what, "actor[0].reference is missing"))?;
    let roles = s
        .get("serviceType")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|c| {
            c.get("coding")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .filter(|c| c.get("system").and_then(Value::as_str) == Some(ROLE_SYSTEM))
        .filter_map(|c| c.get("code").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let tz = match extensions(s, TIMEZONE_URL)
        .next()
        .and_then(|e| e.get("valueCode"))
        .and_then(Value::as_str)
    {
        Some(name) => zone::time_zone(name).map_err(|e| invalid(&what, e))?,
        None => practice_tz.clone(),
    };
    let mut weekly = None::<Vec<_>>;
    for e in extensions(s, HOURS_URL) {
        let rule = e.get("valueString").and_then(Value::as_str).unwrap_or("");
        weekly
            .get_or_insert_with(Vec::new)
            .extend(parse_hours(rule).map_err(|e| invalid(&what, e))?);
    }
    let mut exceptions = Vec::new();
    for e in extensions(s, UNAVAILABLE_URL) {
        let start = e
            .pointer("/extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        let (mut period, mut reason) = (None, "unavailable".to_owned());
        for sub in start {
            match sub.get("url").and_then(Value::as_str) {
                Some("period") => period = sub.get("valuePeriod"),
                Some("reason") => {
                    reason = sub
                        .get("valueString")
                        .and_then(Value::as_str)
                        .unwrap_or("unavailable")
                        .to_owned()
                }
                _ => {}
            }
        }
        let at = |k: &str| {
            period
                .and_then(|p| p.get(k))
                .and_then(Value::as_str)
                .and_then(parse_instant)
        };
        match (at("start"), at("end")) {
            (Some(s), Some(e)) if e > s => exceptions.push(Exception {
                span: Span::new(s, e),
                reason,
            }),
            _ => {
                return Err(invalid(
                    &what,
                    "an unavailable period needs start < end with offsets",
                ));
            }
        }
    }
    Ok(ResourceCalendar {
        actor,
        roles,
        tz,
        weekly,
        exceptions,
    })
}

fn appointment_type(a: &Value) -> Result<AppointmentType, StoreError> {
    let id = a.get("id").and_then(Value::as_str).unwrap_or("?");
    let what = format!("ActivityDefinition/{id}");
    let code = a
        .pointer("/code/coding/0/code")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(&what, "code.coding[0].code is missing"))?
        .to_owned();
    let minutes = a
        .pointer("/timingDuration/value")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    if minutes <= 0.0 {
        return Err(invalid(
            &what,
            "timingDuration.value must be a positive number of minutes",
        ));
    }
    let roles = extensions(a, REQUIRED_ROLE_URL)
        .filter_map(|e| {
            e.get("valueCode")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    let buffer = |url| buffer_minutes(a, url).map_err(|e: DomainError| invalid(&what, e));
    Ok(AppointmentType {
        code,
        duration: (minutes * MINUTE as f64) as i64,
        roles,
        buffer_before: buffer(BUFFER_BEFORE_URL)? * MINUTE,
        buffer_after: buffer(BUFFER_AFTER_URL)? * MINUTE,
    })
}
