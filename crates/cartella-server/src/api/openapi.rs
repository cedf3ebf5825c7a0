//! The OpenAPI 3.1 description of `/api/v1`, built from one table of endpoints (a unit test
//! checks the table against the router's routes, so a new endpoint cannot go undocumented).
//! Served as JSON at `/api/v1/openapi.json`.

use axum::Json;
use serde_json::{Map, Value, json};

/// (method, path, tag, summary)
pub const ENDPOINTS: &[(&str, &str, &str, &str)] = &[
    (
        "post",
        "/setup",
        "account",
        "First run: create the practice and its administrator with the setup token",
    ),
    (
        "post",
        "/auth/login",
        "account",
        "Sign in (sets the session cookie; returns the CSRF token)",
    ),
    (
        "post",
        "/auth/mfa",
        "account",
        "Second factor: TOTP or recovery code",
    ),
    ("post", "/auth/logout", "account", "Sign out this session"),
    (
        "post",
        "/auth/logout-everywhere",
        "account",
        "Sign out every session and token of the user",
    ),
    (
        "get",
        "/auth/me",
        "account",
        "The signed-in user, practice and roles",
    ),
    ("post", "/auth/password", "account", "Change the password"),
    (
        "post",
        "/auth/password-reset",
        "account",
        "Mail a password reset link",
    ),
    (
        "post",
        "/auth/password-reset/confirm",
        "account",
        "Choose a new password with the link's token",
    ),
    (
        "post",
        "/auth/2fa/setup",
        "account",
        "Start TOTP enrolment (secret and QR code)",
    ),
    (
        "post",
        "/auth/2fa/enable",
        "account",
        "Confirm TOTP enrolment; returns recovery codes",
    ),
    (
        "post",
        "/auth/2fa/recovery-codes",
        "account",
        "New recovery codes",
    ),
    (
        "get",
        "/admin/users",
        "administration",
        "Staff of the practice",
    ),
    (
        "post",
        "/admin/users",
        "administration",
        "Add or invite a staff member",
    ),
    (
        "put",
        "/admin/users/{id}/roles",
        "administration",
        "Set a member's roles",
    ),
    (
        "post",
        "/admin/users/{id}/disable",
        "administration",
        "Disable a member (sessions end at once)",
    ),
    (
        "post",
        "/admin/users/{id}/enable",
        "administration",
        "Enable a member",
    ),
    (
        "post",
        "/admin/users/{id}/reset-2fa",
        "administration",
        "Reset a member's two-step verification",
    ),
    ("get", "/admin/clients", "administration", "API clients"),
    (
        "post",
        "/admin/clients",
        "administration",
        "Register an API client (secret shown once)",
    ),
    (
        "put",
        "/admin/settings",
        "administration",
        "Practice settings",
    ),
    (
        "post",
        "/admin/shares",
        "administration",
        "Share a patient's record with an external collaborator",
    ),
    (
        "get",
        "/patients",
        "registry",
        "Search patients (name prefix, birth date, identifier), paged",
    ),
    (
        "post",
        "/patients",
        "registry",
        "Register a patient (409 with possible duplicates unless confirmed)",
    ),
    ("get", "/patients/{id}", "registry", "A patient"),
    (
        "put",
        "/patients/{id}",
        "registry",
        "Update a patient (If-Match; 409 with who/when when stale)",
    ),
    (
        "post",
        "/patients/{id}/deactivate",
        "registry",
        "Deactivate a patient",
    ),
    (
        "post",
        "/patients/{id}/merge",
        "registry",
        "Merge a duplicate into another record (administrators)",
    ),
    (
        "get",
        "/patients/{id}/encounters",
        "clinical",
        "A patient's visits",
    ),
    (
        "post",
        "/patients/{id}/encounters",
        "clinical",
        "Open a visit",
    ),
    (
        "get",
        "/encounters/{id}",
        "clinical",
        "A visit with its note",
    ),
    (
        "put",
        "/encounters/{id}/note",
        "clinical",
        "Save the SOAP note (an amendment after closing needs a reason)",
    ),
    (
        "post",
        "/encounters/{id}/close",
        "clinical",
        "Close a visit",
    ),
    (
        "get",
        "/encounters/{id}/history",
        "clinical",
        "Versions of a visit's note with who, when and why",
    ),
    (
        "post",
        "/patients/{id}/vitals",
        "clinical",
        "Record a set of vital signs; returns alerts",
    ),
    (
        "get",
        "/patients/{id}/vitals/series",
        "clinical",
        "One vital sign over time with its reference band",
    ),
    (
        "get",
        "/patients/{id}/alerts",
        "clinical",
        "Active alerts of a patient",
    ),
    (
        "post",
        "/alerts/{id}/acknowledge",
        "clinical",
        "Acknowledge an alert",
    ),
    (
        "get",
        "/patients/{id}/conditions",
        "clinical",
        "Problem list",
    ),
    (
        "post",
        "/patients/{id}/conditions",
        "clinical",
        "Add a diagnosis (ICD-10-CM)",
    ),
    (
        "post",
        "/conditions/{id}/status",
        "clinical",
        "Resolve or reactivate a diagnosis",
    ),
    (
        "get",
        "/patients/{id}/allergies",
        "clinical",
        "Allergies and intolerances",
    ),
    (
        "post",
        "/patients/{id}/allergies",
        "clinical",
        "Record an allergy",
    ),
    (
        "get",
        "/patients/{id}/prescriptions",
        "clinical",
        "Prescriptions",
    ),
    (
        "post",
        "/patients/{id}/prescriptions",
        "clinical",
        "Prescribe (409 with alerts unless overridden with a reason)",
    ),
    (
        "post",
        "/prescriptions/{id}/stop",
        "clinical",
        "Stop a prescription",
    ),
    (
        "get",
        "/terminology/icd10",
        "clinical",
        "Search ICD-10-CM by code or words",
    ),
    (
        "get",
        "/exam-templates",
        "examinations",
        "Examination templates (Questionnaires)",
    ),
    (
        "post",
        "/exam-templates",
        "examinations",
        "Create a template (administrators)",
    ),
    ("get", "/exam-templates/{id}", "examinations", "A template"),
    (
        "put",
        "/exam-templates/{id}",
        "examinations",
        "Edit a template (administrators)",
    ),
    (
        "get",
        "/patients/{id}/exams",
        "examinations",
        "A patient's examinations",
    ),
    (
        "post",
        "/patients/{id}/exams",
        "examinations",
        "Record an examination from a template",
    ),
    (
        "get",
        "/exams/{id}",
        "examinations",
        "An examination, readable",
    ),
    (
        "get",
        "/planning/availability",
        "scheduling",
        "Free time per resource",
    ),
    (
        "post",
        "/planning/slots",
        "scheduling",
        "Ranked candidate slots where every required resource is free",
    ),
    (
        "post",
        "/planning/book",
        "scheduling",
        "Book (409 listing every conflict)",
    ),
    (
        "post",
        "/planning/reschedule",
        "scheduling",
        "Move an appointment",
    ),
    (
        "post",
        "/planning/cancel",
        "scheduling",
        "Cancel with a reason",
    ),
    (
        "post",
        "/planning/no-show",
        "scheduling",
        "Record a no-show with a reason",
    ),
    (
        "post",
        "/planning/series",
        "scheduling",
        "Book a series of sessions; unplaced dates come with alternatives",
    ),
    (
        "post",
        "/planning/optimise-day",
        "scheduling",
        "Propose (and apply) a better order of a day's cases",
    ),
    (
        "get",
        "/planning/appointments/{id}/notifications",
        "scheduling",
        "Reminder deliveries of an appointment",
    ),
    (
        "get",
        "/planning/feeds",
        "scheduling",
        "Calendar (ICS) feeds (administrators)",
    ),
    (
        "post",
        "/planning/feeds",
        "scheduling",
        "Create a calendar feed with a secret URL",
    ),
    (
        "delete",
        "/planning/feeds/{id}",
        "scheduling",
        "Revoke a calendar feed",
    ),
    ("get", "/planning/waitlist", "scheduling", "Waiting list"),
    (
        "post",
        "/planning/waitlist",
        "scheduling",
        "Put a patient on the waiting list",
    ),
    (
        "get",
        "/lab-catalog",
        "labs",
        "Orderable lab tests and panels (LOINC)",
    ),
    (
        "post",
        "/patients/{id}/lab-orders",
        "labs",
        "Order lab tests",
    ),
    (
        "get",
        "/patients/{id}/lab-orders",
        "labs",
        "A patient's lab orders",
    ),
    (
        "get",
        "/lab-orders/{id}",
        "labs",
        "An order and the tests it expects",
    ),
    (
        "post",
        "/lab-orders/{id}/results",
        "labs",
        "Report results (flags and ranges computed); completes the order",
    ),
    (
        "get",
        "/patients/{id}/lab-reports",
        "labs",
        "A patient's lab reports",
    ),
    ("get", "/lab-reports/{id}", "labs", "A lab report"),
    (
        "get",
        "/labs/critical",
        "labs",
        "Critical results of the orders of the signed-in clinician",
    ),
    (
        "get",
        "/patients/{id}/lab-trend",
        "labs",
        "One lab test over time with its reference band",
    ),
    (
        "get",
        "/patients/{id}/anamnesis",
        "anamnesis",
        "The current anamnesis: remote and family history, the latest complaint",
    ),
    (
        "get",
        "/patients/{id}/anamnesis/{section}",
        "anamnesis",
        "One anamnesis section (conditions, surgeries, hospitalisations, complaints, family)",
    ),
    (
        "post",
        "/patients/{id}/anamnesis/{section}",
        "anamnesis",
        "Add an entry to an anamnesis section",
    ),
    (
        "post",
        "/patients/{id}/device-readings",
        "clinical",
        "Import device readings (text/csv or a FHIR Bundle): all rows or none",
    ),
];

fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

/// The document, built from [`ENDPOINTS`].
pub fn document() -> Value {
    let mut paths = Map::new();
    for (method, path, tag, summary) in ENDPOINTS {
        let entry = paths.entry((*path).to_owned()).or_insert_with(|| json!({}));
        let mut op = json!({
            "tags": [tag],
            "summary": summary,
            "responses": {
                "200": {"description": "Success", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}},
                "default": {"description": "An error in the envelope", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}}
            }
        });
        let params = path_params(path);
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if matches!(*method, "post" | "put") {
            op["requestBody"] =
                json!({"content": {"application/json": {"schema": {"type": "object"}}}});
        }
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Cartella API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Task-shaped JSON API. FHIR R4 is at /fhir/R4 (see its CapabilityStatement at /fhir/R4/metadata)."},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "cartella_session",
                            "description": "State-changing requests also send X-CSRF-Token."}
            },
            "schemas": {"Envelope": {"type": "object", "required": ["success"], "properties": {
                "success": {"type": "boolean"},
                "data": {},
                "error": {"type": "object", "properties": {
                    "code": {"type": "string", "enum": ["VALIDATION_ERROR", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "RATE_LIMIT_EXCEEDED", "INTERNAL_ERROR"]},
                    "message": {"type": "string"}, "details": {}}},
                "meta": {"type": "object"}}}}
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
    })
}

pub async fn serve() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every `.route("/path", get(..).post(..))` of the API router, read from its source.
    fn routed() -> BTreeSet<(String, String)> {
        let src = include_str!("mod.rs").replace(['\n', ' '], "");
        let mut out = BTreeSet::new();
        for part in src.split(".route(").skip(1) {
            let Some(path) = part.strip_prefix('"').and_then(|p| p.split('"').next()) else {
                continue;
            };
            let rest = &part[path.len() + 2..];
            let end = rest.find(".route(").unwrap_or(rest.len());
            for m in ["get", "post", "put", "delete", "patch"] {
                if rest[..end].contains(&format!("{m}(")) {
                    out.insert((m.to_owned(), path.to_owned()));
                }
            }
        }
        out
    }

    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let documented: BTreeSet<(String, String)> = ENDPOINTS
            .iter()
            .map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        let mut routed = routed();
        routed.remove(&("get".to_owned(), "/openapi.json".to_owned()));
        assert_eq!(
            routed.difference(&documented).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "routes missing from ENDPOINTS"
        );
        assert_eq!(
            documented.difference(&routed).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "documented but not routed"
        );
    }

    #[test]
    fn the_document_lists_path_parameters() {
        let doc = document();
        let op = &doc["paths"]["/patients/{id}"]["put"];
        assert_eq!(op["parameters"][0]["name"], "id");
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
