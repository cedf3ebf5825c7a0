//! `GET /fhir/R4/metadata`: the CapabilityStatement, generated from the same tables that drive
//! the code (the resource types the store accepts, the extraction rules search uses), so it
//! lists exactly what is supported.

use super::outcome::FHIR_JSON;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use cartella_core::resource_types::R4_RESOURCE_TYPES;
use cartella_store::extract::{Kind, rules, rules_for};
use cartella_store::search::parse::modifiers;
use cartella_store::store::{MAX_CHAIN_TARGETS, chain_targets};
use std::collections::BTreeSet;

/// Declares, per reference parameter, the parameters a one-level chain may follow.
const CHAIN_EXTENSION: &str = "https://cartella.health/fhir/StructureDefinition/search-chain";

/// Every parameter a chain from `rtype.param` can name (the targets' own rules).
fn chains(rtype: &str, param: &str) -> Vec<String> {
    let names: BTreeSet<&str> = R4_RESOURCE_TYPES
        .iter()
        .flat_map(|t| rules_for(t).iter().map(|r| r.name))
        .collect();
    names
        .into_iter()
        .filter(|n| !chain_targets(rtype, param, None, n).is_empty())
        .map(str::to_owned)
        .collect()
}
use serde_json::{Value, json};

fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Token => "token",
        Kind::String => "string",
        Kind::Date => "date",
        Kind::Reference => "reference",
        Kind::Quantity => "quantity",
        Kind::Number => "number",
        Kind::Uri => "uri",
    }
}

/// Result parameters the search handler and parser accept.
const RESULT_PARAMS: [(&str, &str); 7] = [
    (
        "_sort",
        "One key: _id, _lastUpdated, or a non-encrypted date, token or string parameter; '-' for descending; paged by keyset (further keys are ignored with a warning).",
    ),
    ("_count", "Page size, at most 1000 (default 50)."),
    ("_total", "accurate: the bundle carries the total."),
    ("_summary", "true, text, data, count, false."),
    (
        "_elements",
        "Top-level elements to return (resourceType, id and meta are always kept).",
    ),
    ("_include", "See searchInclude."),
    ("_revinclude", "See searchRevInclude."),
];

const INTERACTIONS: [&str; 8] = [
    "read",
    "vread",
    "update",
    "delete",
    "history-instance",
    "history-type",
    "create",
    "search-type",
];

fn resource(rtype: &str) -> Value {
    let mut params: Vec<Value> = vec![
        json!({"name": "_id", "type": "token"}),
        json!({"name": "_lastUpdated", "type": "date", "documentation": "Sortable (_sort); the default order."}),
    ];
    for (name, doc) in RESULT_PARAMS {
        params.push(json!({"name": name, "type": "special", "documentation": doc}));
    }
    for r in rules_for(rtype) {
        let mut p = json!({"name": r.name, "type": kind(r.kind)});
        let mut doc = format!("Modifiers: :{}", modifiers(r).join(", :"));
        if rules::cartella_defined(rtype, r.name) {
            doc = format!("Defined by Cartella, not by R4. {doc}");
        }
        if r.kind == Kind::Reference {
            doc += ", :[type]; chains one level (see extension)";
            let chained = chains(rtype, r.name);
            p["extension"] = json!(
                chained
                    .iter()
                    .map(|c| json!({"url": CHAIN_EXTENSION, "valueString": c}))
                    .collect::<Vec<_>>()
            );
        }
        if matches!(r.kind, Kind::Date | Kind::Token | Kind::String | Kind::Uri) && !r.blind {
            doc += ". Sortable (_sort).";
        }
        if r.blind {
            doc += ". Encrypted identifying field: exact values and word prefixes of 3+ characters (dates: exact day, month or year); no :contains, no _sort.";
        }
        p["documentation"] = json!(doc);
        params.push(p);
    }
    let includes: Vec<String> = rules_for(rtype)
        .iter()
        .filter(|r| r.kind == Kind::Reference)
        .map(|r| format!("{rtype}:{}", r.name))
        .collect();
    let revincludes: Vec<String> = R4_RESOURCE_TYPES
        .iter()
        .flat_map(|src| {
            rules_for(src)
                .iter()
                .filter(|r| r.kind == Kind::Reference && r.targets.contains(&rtype))
                .map(move |r| format!("{src}:{}", r.name))
        })
        .collect();
    if !revincludes.is_empty() {
        params.push(json!({"name": "_has", "type": "special", "documentation": format!(
            "Reverse chain, one level: _has:Type:reference:parameter=value, for each Type:reference of searchRevInclude; at most {MAX_CHAIN_TARGETS} matching Type resources."
        )}));
    }
    json!({
        "type": rtype,
        "searchInclude": includes,
        "searchRevInclude": revincludes,
        "versioning": "versioned-update",
        "readHistory": true,
        "updateCreate": true,
        "conditionalCreate": true,
        "conditionalUpdate": true,
        "conditionalDelete": "single",
        "interaction": INTERACTIONS.iter().map(|c| json!({"code": c})).collect::<Vec<_>>(),
        "searchParam": params,
    })
}

pub async fn metadata(State(state): State<AppState>) -> Response {
    let base = format!("{}/fhir/R4", state.config.public_url);
    let body = json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": cartella_core::Timestamp::now().to_string(),
        "kind": "instance",
        "software": {"name": "Cartella", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {"description": "Cartella FHIR R4 server", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "security": {
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "SMART-on-FHIR"}]}],
                "extension": [{"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris", "extension": [
                    {"url": "token", "valueUri": format!("{}/oauth2/token", state.config.public_url)},
                    {"url": "authorize", "valueUri": format!("{}/oauth2/authorize", state.config.public_url)},
                    {"url": "revoke", "valueUri": format!("{}/oauth2/revoke", state.config.public_url)}]}]
            },
            "resource": R4_RESOURCE_TYPES.iter().map(|t| resource(t)).collect::<Vec<_>>(),
            "interaction": [{"code": "transaction"}, {"code": "batch"}, {"code": "history-system"}],
            "operation": super::operations::declared(),
        }],
    });
    let mut resp = body.to_string().into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    resp
}
