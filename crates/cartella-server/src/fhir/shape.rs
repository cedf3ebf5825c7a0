//! Result shaping: `_summary` and `_elements`. Only requests that ask for it pay for re-parsing
//! the stored JSON; a shaped resource carries the `SUBSETTED` tag as FHIR requires.

use serde_json::{Value, json};

/// How matches are shaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    Full,
    /// `_summary=true`: the summary elements of the type.
    Summary,
    /// `_summary=text`: text and the mandatory identity elements.
    Text,
    /// `_summary=data`: everything but the narrative.
    Data,
    /// `_elements=a,b`: these top-level elements.
    Elements(Vec<String>),
}

/// Elements every shaped resource keeps.
const ALWAYS: &[&str] = &[
    "resourceType",
    "id",
    "meta",
    "implicitRules",
    "modifierExtension",
];

/// The summary elements (`isSummary` in the R4 definitions) of the types Cartella indexes;
/// `name[x]` stands for every choice. Other types keep all but narrative, contained resources
/// and extensions.
fn summary_elements(rtype: &str) -> Option<&'static [&'static str]> {
    Some(match rtype {
        "Patient" => &[
            "identifier",
            "active",
            "name",
            "telecom",
            "gender",
            "birthDate",
            "deceased[x]",
            "address",
            "managingOrganization",
            "link",
        ],
        "Observation" => &[
            "identifier",
            "basedOn",
            "partOf",
            "status",
            "category",
            "code",
            "subject",
            "focus",
            "encounter",
            "effective[x]",
            "issued",
            "performer",
            "value[x]",
            "hasMember",
            "derivedFrom",
            "component",
        ],
        "Encounter" => &[
            "identifier",
            "status",
            "class",
            "type",
            "serviceType",
            "priority",
            "subject",
            "episodeOfCare",
            "basedOn",
            "participant",
            "appointment",
            "period",
            "length",
            "reasonCode",
            "reasonReference",
            "diagnosis",
            "account",
            "serviceProvider",
            "partOf",
        ],
        "Condition" => &[
            "identifier",
            "clinicalStatus",
            "verificationStatus",
            "category",
            "severity",
            "code",
            "bodySite",
            "subject",
            "encounter",
            "onset[x]",
            "abatement[x]",
            "recordedDate",
        ],
        "Practitioner" => &[
            "identifier",
            "active",
            "name",
            "telecom",
            "address",
            "gender",
            "birthDate",
        ],
        "Organization" => &["identifier", "active", "type", "name", "partOf", "endpoint"],
        _ => return None,
    })
}

fn named(key: &str, element: &str) -> bool {
    match element.strip_suffix("[x]") {
        Some(stem) => key
            .strip_prefix(stem)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase())),
        None => key == element,
    }
}

/// The shaped JSON of one resource (`None`: unchanged).
pub fn shape(rtype: &str, json: &[u8], how: &Shape) -> Option<Vec<u8>> {
    if *how == Shape::Full {
        return None;
    }
    let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(json) else {
        return None;
    };
    let keep = |key: &str| -> bool {
        if ALWAYS.contains(&key) {
            return true;
        }
        match how {
            Shape::Full => true,
            Shape::Data => key != "text",
            Shape::Text => key == "text",
            Shape::Elements(list) => list.iter().any(|e| e == key),
            Shape::Summary => match summary_elements(rtype) {
                Some(list) => list.iter().any(|e| named(key, e)),
                None => !matches!(key, "text" | "contained" | "extension"),
            },
        }
    };
    obj.retain(|k, _| keep(k));
    let meta = obj.entry("meta").or_insert_with(|| json!({}));
    if let Some(m) = meta.as_object_mut() {
        let tags = m.entry("tag").or_insert_with(|| json!([]));
        if let Some(list) = tags.as_array_mut() {
            list.push(json!({
                "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                "code": "SUBSETTED",
            }));
        }
    }
    serde_json::to_vec(&obj).ok()
}

/// `_summary` / `_elements` of a query: `(shape, count only)`, or a message for a bad value.
pub fn from_params(rtype: &str, params: &[(String, String)]) -> Result<(Shape, bool), String> {
    let mut shape = Shape::Full;
    let mut count_only = false;
    for (k, v) in params {
        match k.as_str() {
            "_summary" => match v.as_str() {
                "true" => shape = Shape::Summary,
                "text" => shape = Shape::Text,
                "data" => shape = Shape::Data,
                "false" => shape = Shape::Full,
                "count" => count_only = true,
                other => {
                    return Err(format!(
                        "_summary must be true, text, data, count or false, got '{other}'"
                    ));
                }
            },
            "_elements" if shape == Shape::Full => {
                let list = v
                    .split(',')
                    .map(|e| e.trim())
                    .map(|e| e.strip_prefix(&format!("{rtype}.")).unwrap_or(e).to_owned())
                    .filter(|e| !e.is_empty())
                    .collect();
                shape = Shape::Elements(list);
            }
            _ => {}
        }
    }
    Ok((shape, count_only))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_keeps_summary_elements_and_tags() {
        let p = json!({"resourceType": "Patient", "id": "p", "text": {"div": "x"},
            "name": [{"family": "Rossi"}], "deceasedBoolean": false, "photo": [{}]});
        let out: Value = serde_json::from_slice(
            &shape("Patient", p.to_string().as_bytes(), &Shape::Summary).unwrap(),
        )
        .unwrap();
        assert!(out.get("text").is_none() && out.get("photo").is_none());
        assert_eq!(out["deceasedBoolean"], false);
        assert_eq!(out["meta"]["tag"][0]["code"], "SUBSETTED");
        let el = shape(
            "Patient",
            p.to_string().as_bytes(),
            &Shape::Elements(vec!["photo".into()]),
        )
        .unwrap();
        let out: Value = serde_json::from_slice(&el).unwrap();
        assert!(out.get("name").is_none() && out.get("photo").is_some());
        assert_eq!(out["id"], "p");
    }
}
