//! `$validate` (`POST /{type}/$validate`, `/{type}/{id}/$validate`): structure checks that list
//! every problem found in one OperationOutcome (200 whether or not the resource is valid, as
//! the operation defines; 4xx only when the validation itself cannot run). Checked: a JSON
//! object, a known `resourceType` matching the URL, the id format (and the URL's id), the shape
//! of `meta`, no empty or null values, and the format of date, dateTime and instant values.

use super::handlers::{Peer, Result, body_bytes, ctx};
use super::outcome::{FHIR_JSON, FhirError};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartella_core::ResourceType;
use cartella_store::search::dates::parse_range;
use serde_json::{Value, json};

struct Issue {
    code: &'static str,
    text: String,
    path: String,
}

fn id_ok(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Element names whose values are dates, dateTimes or instants (choice types by suffix).
fn is_temporal(key: &str) -> bool {
    key.ends_with("DateTime")
        || key.ends_with("Instant")
        || key.ends_with("Date")
        || matches!(
            key,
            "date"
                | "issued"
                | "lastUpdated"
                | "recorded"
                | "start"
                | "end"
                | "authoredOn"
                | "created"
        )
}

/// Walk the resource: empty values and temporal formats, everywhere.
fn walk(v: &Value, path: &str, issues: &mut Vec<Issue>) {
    match v {
        Value::Null => issues.push(Issue {
            code: "structure",
            text: "null is not allowed".into(),
            path: path.into(),
        }),
        Value::String(s) if s.is_empty() => issues.push(Issue {
            code: "value",
            text: "empty strings are not allowed".into(),
            path: path.into(),
        }),
        Value::Array(items) if items.is_empty() => issues.push(Issue {
            code: "structure",
            text: "empty arrays are not allowed".into(),
            path: path.into(),
        }),
        Value::Object(o) if o.is_empty() => issues.push(Issue {
            code: "structure",
            text: "empty objects are not allowed".into(),
            path: path.into(),
        }),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                // null inside primitive arrays pairs with `_name` extensions; allowed there.
                if !item.is_null() {
                    walk(item, &format!("{path}[{i}]"), issues);
                }
            }
        }
        Value::Object(o) => {
            for (k, child) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if let (true, Some(s)) = (is_temporal(k), child.as_str())
                    && !s.is_empty()
                    && parse_range(s).is_none()
                {
                    issues.push(Issue {
                        code: "value",
                        text: format!("'{s}' is not a valid FHIR date, dateTime or instant"),
                        path: p.clone(),
                    });
                }
                walk(child, &p, issues);
            }
        }
        _ => {}
    }
}

fn check(rtype: &str, url_id: Option<&str>, body: &[u8]) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            issues.push(Issue {
                code: "structure",
                text: format!("the body is not valid JSON: {e}"),
                path: String::new(),
            });
            return issues;
        }
    };
    // A Parameters wrapper carries the resource in `parameter[name=resource]`.
    if value["resourceType"] == "Parameters" && rtype != "Parameters" {
        let inner = value["parameter"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "resource"))
            .map(|p| p["resource"].clone());
        match inner {
            Some(r) => value = r,
            None => {
                issues.push(Issue {
                    code: "required",
                    text: "Parameters without a 'resource' parameter".into(),
                    path: "parameter".into(),
                });
                return issues;
            }
        }
    }
    let Some(obj) = value.as_object() else {
        issues.push(Issue {
            code: "structure",
            text: "a resource must be a JSON object".into(),
            path: String::new(),
        });
        return issues;
    };
    match obj.get("resourceType").and_then(Value::as_str) {
        None => issues.push(Issue {
            code: "required",
            text: "resourceType is missing".into(),
            path: "resourceType".into(),
        }),
        Some(t) if ResourceType::parse(t).is_err() => issues.push(Issue {
            code: "value",
            text: format!("'{t}' is not an R4 resource type"),
            path: "resourceType".into(),
        }),
        Some(t) if t != rtype => issues.push(Issue {
            code: "value",
            text: format!("resourceType '{t}' does not match the URL's '{rtype}'"),
            path: "resourceType".into(),
        }),
        Some(_) => {}
    }
    match (obj.get("id"), url_id) {
        (Some(Value::String(id)), _) if !id_ok(id) => issues.push(Issue {
            code: "value",
            text: "id must be 1-64 characters of A-Z, a-z, 0-9, '-' and '.'".into(),
            path: "id".into(),
        }),
        (Some(Value::String(id)), Some(u)) if id != u => issues.push(Issue {
            code: "value",
            text: format!("id '{id}' does not match the URL's '{u}'"),
            path: "id".into(),
        }),
        (Some(v), _) if !v.is_string() => issues.push(Issue {
            code: "structure",
            text: "id must be a string".into(),
            path: "id".into(),
        }),
        (None, Some(_)) => issues.push(Issue {
            code: "required",
            text: "id is required to validate against an existing resource".into(),
            path: "id".into(),
        }),
        _ => {}
    }
    if let Some(meta) = obj.get("meta") {
        match meta.as_object() {
            None => issues.push(Issue {
                code: "structure",
                text: "meta must be an object".into(),
                path: "meta".into(),
            }),
            Some(m) => {
                if m.get("versionId").is_some_and(|v| !v.is_string()) {
                    issues.push(Issue {
                        code: "structure",
                        text: "meta.versionId must be a string".into(),
                        path: "meta.versionId".into(),
                    });
                }
                for list in ["profile", "tag", "security"] {
                    if m.get(list).is_some_and(|v| !v.is_array()) {
                        issues.push(Issue {
                            code: "structure",
                            text: format!("meta.{list} must be an array"),
                            path: format!("meta.{list}"),
                        });
                    }
                }
            }
        }
    }
    if let Some(contained) = obj.get("contained").and_then(Value::as_array) {
        for (i, c) in contained.iter().enumerate() {
            if !c.get("id").and_then(Value::as_str).is_some_and(id_ok) {
                issues.push(Issue {
                    code: "value",
                    text: "a contained resource needs a valid id".into(),
                    path: format!("contained[{i}].id"),
                });
            }
        }
    }
    walk(&value, "", &mut issues);
    issues
}

async fn run(
    state: AppState,
    peer: std::net::SocketAddr,
    headers: HeaderMap,
    rtype: String,
    id: Option<String>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    ctx(&state, &headers, peer).await?;
    let body = body_bytes(body)?;
    let rtype = ResourceType::parse(&rtype)
        .map_err(|e| FhirError::new(StatusCode::NOT_FOUND, "not-supported", e.to_string()))?;
    let issues = check(rtype.as_str(), id.as_deref(), &body);
    let list: Vec<Value> = if issues.is_empty() {
        vec![
            json!({"severity": "information", "code": "informational", "diagnostics": "no structural problems found"}),
        ]
    } else {
        issues
            .iter()
            .map(|i| {
                let mut v = json!({"severity": "error", "code": i.code, "diagnostics": i.text});
                if !i.path.is_empty() {
                    v["expression"] = json!([format!("{}.{}", rtype.as_str(), i.path)]);
                }
                v
            })
            .collect()
    };
    let body = json!({"resourceType": "OperationOutcome", "issue": list});
    let mut resp = (StatusCode::OK, body.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    Ok(resp)
}

pub async fn type_level(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path(rtype): Path<String>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    run(state, peer, headers, rtype, None, body).await
}

pub async fn instance(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path((rtype, id)): Path<(String, String)>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    run(state, peer, headers, rtype, Some(id), body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_problem() {
        let body = br#"{"resourceType": "Observation", "id": "bad id!", "meta": {"tag": {}},
            "effectiveDateTime": "2024-13-40", "status": "", "code": {}}"#;
        let issues = check("Patient", None, body);
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        for p in [
            "resourceType",
            "id",
            "meta.tag",
            "effectiveDateTime",
            "status",
            "code",
        ] {
            assert!(paths.contains(&p), "{p} in {paths:?}");
        }
        assert!(
            check(
                "Patient",
                None,
                br#"{"resourceType": "Patient", "birthDate": "1980-01-02"}"#
            )
            .is_empty()
        );
        assert_eq!(check("Patient", None, b"[1]").len(), 1);
        assert_eq!(
            check(
                "Patient",
                Some("a"),
                br#"{"resourceType": "Patient", "id": "b"}"#
            )
            .len(),
            1
        );
    }
}
