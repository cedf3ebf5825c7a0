//! Bundles (searchset, history) assembled from the stored JSON bytes without re-parsing them.

use cartella_store::store::{HistoryEntry, SearchPage};
use serde_json::Value;

pub struct Link {
    pub relation: &'static str,
    pub url: String,
}

fn links_json(links: &[Link]) -> String {
    let items: Vec<String> = links
        .iter()
        .map(|l| serde_json::json!({"relation": l.relation, "url": l.url}).to_string())
        .collect();
    items.join(",")
}

pub fn searchset(base: &str, page: &SearchPage, links: &[Link]) -> Vec<u8> {
    let (resources, total, warnings) = (&page.resources, page.total, &page.warnings);
    let mut out =
        Vec::with_capacity(256 + resources.iter().map(|r| r.json.len() + 128).sum::<usize>());
    out.extend_from_slice(br#"{"resourceType":"Bundle","type":"searchset""#);
    if let Some(t) = total {
        out.extend_from_slice(format!(r#","total":{t}"#).as_bytes());
    }
    out.extend_from_slice(format!(r#","link":[{}],"entry":["#, links_json(links)).as_bytes());
    let mut first = true;
    let modes = resources
        .iter()
        .map(|r| (r, "match"))
        .chain(page.included.iter().map(|r| (r, "include")));
    for (r, mode) in modes {
        if !first {
            out.push(b',');
        }
        first = false;
        let full_url = Value::String(format!("{base}/{}/{}", r.rtype, r.id)).to_string();
        out.extend_from_slice(format!(r#"{{"fullUrl":{full_url},"resource":"#).as_bytes());
        out.extend_from_slice(&r.json);
        out.extend_from_slice(format!(r#","search":{{"mode":"{mode}"}}}}"#).as_bytes());
    }
    if !warnings.is_empty() {
        if !first {
            out.push(b',');
        }
        let issues: Vec<(&str, &str, &str)> = warnings
            .iter()
            .map(|w| ("warning", "not-supported", w.as_str()))
            .collect();
        let oo = super::outcome::outcome(&issues);
        out.extend_from_slice(
            format!(r#"{{"resource":{oo},"search":{{"mode":"outcome"}}}}"#).as_bytes(),
        );
    }
    out.extend_from_slice(b"]}");
    out
}

pub fn history(base: &str, entries: &[HistoryEntry], links: &[Link]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(
        format!(
            r#"{{"resourceType":"Bundle","type":"history","link":[{}],"entry":["#,
            links_json(links)
        )
        .as_bytes(),
    );
    for (n, e) in entries.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let full_url = Value::String(format!("{base}/{}/{}", e.rtype, e.id)).to_string();
        out.extend_from_slice(format!(r#"{{"fullUrl":{full_url}"#).as_bytes());
        if let (Some(json), false) = (&e.json, e.deleted) {
            out.extend_from_slice(br#","resource":"#);
            out.extend_from_slice(json);
        }
        let (method, status) = match (e.deleted, e.erased, e.version) {
            (true, _, _) => ("DELETE", "204"),
            (_, true, _) => ("PUT", "410"),
            (_, _, 1) => ("POST", "201"),
            _ => ("PUT", "200"),
        };
        let request = serde_json::json!({"method": method, "url": format!("{}/{}", e.rtype, e.id)});
        let response = serde_json::json!({
            "status": status,
            "etag": format!("W/\"{}\"", e.version),
            "lastModified": e.last_updated.to_string(),
        });
        out.extend_from_slice(
            format!(r#","request":{request},"response":{response}}}"#).as_bytes(),
        );
    }
    out.extend_from_slice(b"]}");
    out
}
