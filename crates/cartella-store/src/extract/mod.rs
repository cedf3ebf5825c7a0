//! Search-parameter extraction: per resource type, which parameters are indexed, from which
//! elements, and how (plain or blind). Runs on every write, so rules are static tables walked
//! over the JSON without allocation-heavy machinery.

pub mod rules;
mod spec_rules;
pub mod values;

use crate::crypto::blind;
use crate::crypto::normalize::{normalize, words};
use crate::model::*;
pub use rules::{Kind, ParamRule, rules_for};
use serde_json::Value;

/// Index rows for `resource` of `rtype`; identifying values become blind tokens under `blind_key`.
pub fn extract(rtype: &str, resource: &Value, blind_key: &[u8; 32]) -> IndexRows {
    extract_params(rtype, resource, blind_key, |_| true)
}

/// [`extract`] for the parameters `wanted` keeps (by their stored names) only.
pub fn extract_params(
    rtype: &str,
    resource: &Value,
    blind_key: &[u8; 32],
    wanted: impl Fn(&str) -> bool,
) -> IndexRows {
    let mut rows = IndexRows::default();
    for rule in rules_for(rtype)
        .iter()
        .filter(|r| r.union_of.is_empty() && wanted(r.name))
    {
        for node in values::select(resource, rule.paths) {
            add(&mut rows, rule, node, blind_key);
        }
    }
    rows
}

fn add(rows: &mut IndexRows, rule: &'static ParamRule, node: &Value, blind_key: &[u8; 32]) {
    let param = rule.name;
    match rule.kind {
        Kind::Token => {
            for (system, code) in values::tokens(node) {
                if rule.blind {
                    let code = normalize(&code);
                    let any = blind::token(blind_key, param, "v", &code);
                    let with_system =
                        blind::token(blind_key, param, "sv", &format!("{system}|{code}"));
                    rows.blinds.push(BlindRow { param, token: any });
                    rows.blinds.push(BlindRow {
                        param,
                        token: with_system,
                    });
                } else {
                    rows.tokens.push(TokenRow {
                        param,
                        system,
                        code,
                    });
                }
            }
        }
        Kind::String => {
            for text in values::strings(node) {
                let norm = normalize(&text);
                if norm.is_empty() {
                    continue;
                }
                if rule.blind {
                    let mut toks = Vec::new();
                    for word in words(&norm) {
                        blind::word_tokens(blind_key, param, word, &mut toks);
                    }
                    toks.sort_unstable();
                    toks.dedup();
                    rows.blinds
                        .extend(toks.into_iter().map(|token| BlindRow { param, token }));
                } else {
                    rows.strings.push(StringRow { param, value: norm });
                }
            }
        }
        Kind::Date => {
            if rule.blind {
                // Birth dates: exact day, month and year tokens (no plaintext ranges).
                if let Some(text) = node.as_str() {
                    for (kind, len) in [("day", 10), ("month", 7), ("year", 4)] {
                        if text.len() >= len {
                            let token = blind::token(blind_key, param, kind, &text[..len]);
                            rows.blinds.push(BlindRow { param, token });
                        }
                    }
                }
            } else if let Some((lo, hi)) = values::date_range(node) {
                rows.dates.push(DateRow { param, lo, hi });
            }
        }
        Kind::Reference => {
            if let Some((target_type, target_id)) = values::reference(node)
                && rule.target.is_none_or(|t| t == target_type)
            {
                rows.refs.push(RefRow {
                    param,
                    target_type,
                    target_id,
                });
            }
        }
        Kind::Uri => {
            if let Some(uri) = node.as_str() {
                rows.tokens.push(TokenRow {
                    param,
                    system: String::new(),
                    code: uri.to_owned(),
                });
            }
        }
        Kind::Quantity | Kind::Number => {
            if let Some((value, system, code)) = values::quantity(node) {
                rows.quantities.push(QuantityRow {
                    param,
                    value,
                    system,
                    code,
                });
            }
        }
    }
}

/// The patient whose compartment holds this resource: the Patient itself, or the patient its
/// subject/patient reference points to. Everything in a compartment is sealed with that
/// patient's key, so erasing the key erases the compartment.
pub fn patient_of(rtype: &str, id: &str, resource: &Value) -> Option<String> {
    if rtype == "Patient" {
        return Some(id.to_owned());
    }
    for field in ["subject", "patient", "beneficiary"] {
        if let Some((t, target)) = resource.get(field).and_then(values::reference)
            && t == "Patient"
        {
            return Some(target);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patient_identifying_values_are_blind() {
        let p = json!({"resourceType": "Patient", "id": "p1", "gender": "female",
            "name": [{"family": "Rossi", "given": ["Maria"]}], "birthDate": "1980-04-02",
            "identifier": [{"system": "urn:cf", "value": "RSSMRA80D42H501X"}],
            "telecom": [{"system": "phone", "value": "+39 06 1234"}]});
        let rows = extract("Patient", &p, &[1u8; 32]);
        assert!(
            rows.strings.is_empty(),
            "no plaintext strings for Patient: {:?}",
            rows.strings
        );
        assert_eq!(
            rows.tokens,
            vec![TokenRow {
                param: "gender",
                system: String::new(),
                code: "female".into()
            }]
        );
        assert!(rows.blinds.iter().any(|b| b.param == "family"));
        assert!(rows.blinds.iter().any(|b| b.param == "birthdate"));
        assert!(rows.blinds.iter().any(|b| b.param == "identifier"));
        assert!(rows.dates.is_empty());
    }

    #[test]
    fn observation_clinical_values_are_plain() {
        let o = json!({"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
            "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2024-05-01T10:00:00Z",
            "valueQuantity": {"value": 72, "system": "http://unitsofmeasure.org", "code": "/min"}});
        let rows = extract("Observation", &o, &[1u8; 32]);
        assert!(
            rows.tokens
                .iter()
                .any(|t| t.param == "code" && t.code == "8867-4")
        );
        // `patient` is searched over the `subject` rows (see `ParamRule::union_of`).
        let refs: Vec<_> = rows
            .refs
            .iter()
            .map(|r| (r.param, r.target_type.as_str(), r.target_id.as_str()))
            .collect();
        assert_eq!(refs, [("subject", "Patient", "p1")]);
        assert_eq!(rows.dates.len(), 1);
        assert_eq!(rows.quantities[0].value, 72.0);
        assert_eq!(patient_of("Observation", "o1", &o).as_deref(), Some("p1"));
    }
}

#[cfg(test)]
mod spec_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_and_choice_elements_select_what_the_spec_means() {
        let p = json!({"resourceType": "Patient", "id": "p1",
            "telecom": [{"system": "phone", "value": "+39 06 1234"},
                        {"system": "email", "value": "maria@example.org"}]});
        let phones = values::select(&p, &["telecom[system=phone]"]);
        assert_eq!(phones.len(), 1);
        assert_eq!(phones[0]["value"], "+39 06 1234");
        let o = json!({"effectivePeriod": {"start": "2024-01-01"}, "classHistory": [{"class": {}}],
            "extension": [{"url": "http://a.example/x.y", "valueString": "kept"},
                          {"url": "http://b.example", "valueString": "other"}]});
        assert_eq!(values::select(&o, &["effective"]).len(), 1, "effective[x]");
        assert!(
            values::select(&o, &["class"]).is_empty(),
            "classHistory is no choice of class"
        );
        let ext = values::select(&o, &["extension[url=http://a.example/x.y].value"]);
        assert_eq!(
            ext,
            vec![&json!("kept")],
            "dots inside a filter do not split"
        );
    }

    #[test]
    fn phone_and_email_of_a_patient_are_blind_and_kept_apart() {
        let p = json!({"resourceType": "Patient", "id": "p1",
            "meta": {"tag": [{"system": "urn:t", "code": "vip"}], "profile": ["http://x/p|1.0"]},
            "telecom": [{"system": "phone", "value": "+39 06 1234"},
                        {"system": "email", "value": "maria@example.org"}]});
        let rows = extract("Patient", &p, &[1u8; 32]);
        let params: Vec<&str> = rows.blinds.iter().map(|b| b.param).collect();
        assert!(params.contains(&"phone") && params.contains(&"email"));
        let phone_tokens = rows.blinds.iter().filter(|b| b.param == "phone").count();
        assert_eq!(
            phone_tokens, 2,
            "one phone number: any-system and system|value tokens"
        );
        assert!(
            rows.tokens
                .iter()
                .all(|t| !t.code.contains("1234") && !t.code.contains("maria")),
            "no plaintext contact: {:?}",
            rows.tokens
        );
        assert!(
            rows.tokens
                .iter()
                .any(|t| t.param == "_tag" && t.code == "vip")
        );
        assert!(
            rows.tokens.iter().any(|t| t.param == "_profile"
                && t.system.is_empty()
                && t.code == "http://x/p|1.0")
        );
    }
}
