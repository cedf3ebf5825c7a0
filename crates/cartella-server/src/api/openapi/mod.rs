//! The OpenAPI 3.1 description of `/api/v1`, built from one table of endpoints (a unit test
//! checks the table against the router's routes, so a new endpoint cannot go undocumented).
//! Served as JSON at `/api/v1/openapi.json`.

use axum::Json;
use serde_json::{Map, Value, json};

pub use endpoints::ENDPOINTS;

mod endpoints;

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
        let src = include_str!("../mod.rs").replace(['\n', ' '], "");
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
