//! Walking FHIR JSON: select the nodes on a dotted path (arrays flattened) and read FHIR
//! datatypes (Coding, CodeableConcept, Identifier, ContactPoint, HumanName, Address, Period,
//! Reference, Quantity) as index values.

use crate::search::dates::parse_range;
use serde_json::Value;

/// Nodes reached by any of the dotted `paths`, arrays flattened at every step. A segment
/// `elem[key=value]` keeps the items whose `key` is the string `value`; a segment naming a
/// choice element without its type (`effective`) reads `effectiveDateTime`, `effectivePeriod`…
pub fn select<'a>(root: &'a Value, paths: &[&str]) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for path in paths {
        let mut current = vec![root];
        for seg in segments(path) {
            let (name, filter) = match seg.split_once('[') {
                Some((n, f)) => (n, f.strip_suffix(']').and_then(|f| f.split_once('='))),
                None => (seg, None),
            };
            let mut next = Vec::new();
            for node in current {
                let Some(v) = node.get(name).or_else(|| choice(node, name)) else {
                    continue;
                };
                let keep = |item: &Value| {
                    filter.is_none_or(|(k, want)| item.get(k).and_then(Value::as_str) == Some(want))
                };
                match v {
                    Value::Array(items) => next.extend(items.iter().filter(|i| keep(i))),
                    v if keep(v) => next.push(v),
                    _ => {}
                }
            }
            current = next;
        }
        out.extend(current);
    }
    out
}

/// The `.`-separated segments of a path; dots inside `[…]` (URLs in filters) do not split.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(path);
    std::iter::from_fn(move || {
        let s = rest?;
        let mut depth = 0u32;
        for (i, c) in s.char_indices() {
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                '.' if depth == 0 => {
                    rest = Some(&s[i + 1..]);
                    return Some(&s[..i]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(s)
    })
}

/// The value of choice element `name[x]`: the one key `name` + a FHIR type name.
fn choice<'a>(node: &'a Value, name: &str) -> Option<&'a Value> {
    node.as_object()?.iter().find_map(|(k, v)| {
        let suffix = k.strip_prefix(name)?;
        CHOICE_TYPES.contains(&suffix).then_some(v)
    })
}

/// The datatypes a FHIR R4 choice element can take, as they appear in element names.
const CHOICE_TYPES: &[&str] = &[
    "Boolean",
    "Integer",
    "String",
    "Decimal",
    "Uri",
    "Url",
    "Canonical",
    "Base64Binary",
    "Instant",
    "Date",
    "DateTime",
    "Time",
    "Code",
    "Oid",
    "Id",
    "Markdown",
    "UnsignedInt",
    "PositiveInt",
    "Uuid",
    "Address",
    "Age",
    "Annotation",
    "Attachment",
    "CodeableConcept",
    "Coding",
    "ContactPoint",
    "Count",
    "Distance",
    "Duration",
    "HumanName",
    "Identifier",
    "Money",
    "Period",
    "Quantity",
    "Range",
    "Ratio",
    "Reference",
    "SampledData",
    "Signature",
    "Timing",
    "ContactDetail",
    "Contributor",
    "DataRequirement",
    "Expression",
    "ParameterDefinition",
    "RelatedArtifact",
    "TriggerDefinition",
    "UsageContext",
    "Dosage",
    "Meta",
];

/// `(system, code)` pairs of a token-typed node.
pub fn tokens(node: &Value) -> Vec<(String, String)> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
    match node {
        Value::String(s) => vec![(String::new(), s.clone())],
        Value::Bool(b) => vec![(String::new(), b.to_string())],
        Value::Object(o) => {
            if let Some(Value::Array(codings)) = o.get("coding") {
                return codings.iter().flat_map(tokens).collect();
            }
            let code = o.get("code").or_else(|| o.get("value"));
            match code.and_then(Value::as_str) {
                Some(c) => vec![(text(o.get("system")), c.to_owned())],
                None => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The searchable strings of a node: a string itself, or the parts of a HumanName / Address.
pub fn strings(node: &Value) -> Vec<String> {
    match node {
        Value::String(s) => vec![s.clone()],
        Value::Object(o) => {
            let mut out = Vec::new();
            for key in [
                "text",
                "family",
                "given",
                "prefix",
                "suffix",
                "line",
                "city",
                "district",
                "state",
                "postalCode",
                "country",
            ] {
                match o.get(key) {
                    Some(Value::String(s)) => out.push(s.clone()),
                    Some(Value::Array(items)) => {
                        out.extend(items.iter().filter_map(Value::as_str).map(str::to_owned))
                    }
                    _ => {}
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// A date, dateTime, instant or Period as an inclusive range (open Period ends are unbounded).
pub fn date_range(node: &Value) -> Option<(i64, i64)> {
    match node {
        Value::String(s) => parse_range(s),
        Value::Object(o) => {
            let start = o.get("start").and_then(Value::as_str).and_then(parse_range);
            let end = o.get("end").and_then(Value::as_str).and_then(parse_range);
            match (start, end) {
                (None, None) => None,
                (s, e) => Some((s.map_or(i64::MIN, |r| r.0), e.map_or(i64::MAX, |r| r.1))),
            }
        }
        _ => None,
    }
}

/// `Type/id` of a relative Reference (absolute URLs and contained references are not indexed).
pub fn reference(node: &Value) -> Option<(String, String)> {
    let text = node.get("reference")?.as_str()?;
    let (t, id) = text.split_once('/')?;
    if id.contains('/') || !t.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    Some((t.to_owned(), id.to_owned()))
}

/// `(value, system, code)` of a Quantity, or a bare number.
pub fn quantity(node: &Value) -> Option<(f64, String, String)> {
    match node {
        Value::Number(n) => Some((n.as_f64()?, String::new(), String::new())),
        Value::Object(o) => {
            let value = o.get("value")?.as_f64()?;
            let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
            Some((
                value,
                s("system").unwrap_or_default(),
                s("code").or_else(|| s("unit")).unwrap_or_default(),
            ))
        }
        _ => None,
    }
}
