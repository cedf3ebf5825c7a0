//! FHIR search parameters → [`SearchPlan`] clauses. Identifying parameters become blind tokens;
//! what the index cannot decide exactly (blind prefixes longer than 8 characters) becomes a
//! post-filter applied after decryption.

use super::plan::*;
use super::values::*;
use crate::crypto::normalize::{normalize, words};
use crate::error::{Result, StoreError};
use crate::extract::{Kind, ParamRule, rules::rule};

/// A check run on decrypted results (what the index cannot decide).
#[derive(Debug, Clone)]
pub struct PostFilter {
    pub rule: &'static ParamRule,
    pub how: PostMatch,
}

#[derive(Debug, Clone)]
pub enum PostMatch {
    /// A word of the value must start with this (blind prefixes longer than the index holds).
    WordPrefix(String),
    /// `:text` on tokens: a word of a `text` or `display` must start with each of these words
    /// (any alternative).
    Text(Vec<Vec<String>>),
}

#[derive(Debug, Default)]
pub struct ParsedSearch {
    pub clauses: Vec<Clause>,
    pub post_filters: Vec<PostFilter>,
    /// Parameters that were ignored, with why (lenient handling; strict handling refuses them).
    pub warnings: Vec<String>,
    pub count: Option<usize>,
    pub after: Option<Cursor>,
    pub sort: Sort,
    pub total: bool,
}

/// What a parameter asked for that is valid FHIR but not supported here: ignored with a warning
/// (lenient), or refused (`Prefer: handling=strict`, decided by the caller from the warnings).
struct Unsupported(String);

impl From<StoreError> for Unsupported {
    fn from(e: StoreError) -> Self {
        Unsupported(e.to_string())
    }
}

/// Result-shaping parameters the store accepts and leaves to the surface.
const PASS_THROUGH: &[&str] = &[
    "_format",
    "_pretty",
    "_summary",
    "_elements",
    "_include",
    "_revinclude",
];

pub use super::values::{date_cond, modifiers};

pub fn parse(
    rtype: &str,
    params: &[(String, String)],
    blind_key: &[u8; 32],
) -> Result<ParsedSearch> {
    let mut out = ParsedSearch::default();
    for (raw_name, value) in params {
        let (name, modifier) = match raw_name.split_once(':') {
            Some((n, m)) => (n, Some(m)),
            None => (raw_name.as_str(), None),
        };
        match name {
            "_count" => {
                let n: usize = value.parse().map_err(|_| {
                    StoreError::InvalidSearch(format!(
                        "_count must be a whole number, got '{value}'"
                    ))
                })?;
                out.count = Some(n);
            }
            "_cursor" => out.after = Some(parse_cursor(value)?),
            "_sort" => sort(&mut out, rtype, value),
            "_total" => out.total = value == "accurate",
            "_id" => out
                .clauses
                .push(Clause::Id(value.split(',').map(str::to_owned).collect())),
            "_lastUpdated" => {
                let (negate, cond) = date_cond(name, value)?;
                if negate {
                    return Err(StoreError::InvalidSearch(
                        "_lastUpdated does not support 'ne'".into(),
                    ));
                }
                out.clauses.push(Clause::LastUpdated(cond));
            }
            _ if PASS_THROUGH.contains(&name) => {}
            _ => match rule(rtype, name) {
                Some(rule) => {
                    if let Err(e) = param(&mut out, rule, modifier, value, blind_key)? {
                        out.warnings.push(format!("{raw_name}: {}; ignored", e.0));
                    }
                }
                None => out.warnings.push(format!(
                    "unknown search parameter '{raw_name}' for {rtype} was ignored"
                )),
            },
        }
    }
    Ok(out)
}

fn parse_cursor(value: &str) -> Result<Cursor> {
    Cursor::decode(value).ok_or_else(|| StoreError::InvalidSearch("invalid _cursor".into()))
}

/// `_sort=[-]key[,...]`: the first key orders the results (row id breaks ties); further keys are
/// ignored with a warning, because keyset paging here runs on one key.
fn sort(out: &mut ParsedSearch, rtype: &str, value: &str) {
    let mut keys = value.split(',').filter(|k| !k.is_empty());
    let Some(first) = keys.next() else { return };
    if keys.next().is_some() {
        out.warnings.push(format!(
            "_sort={value}: only the first key is used; the others were ignored"
        ));
    }
    let (desc, name) = match first.strip_prefix('-') {
        Some(n) => (true, n),
        None => (false, first),
    };
    let key = match (name, rule(rtype, name)) {
        ("_lastUpdated", _) => SortKey::LastUpdated,
        ("_id", _) => SortKey::Id,
        (_, Some(r)) if r.blind => {
            out.warnings.push(format!(
                "_sort={first}: '{name}' is an encrypted, identifying field and cannot be sorted on; ignored"
            ));
            return;
        }
        (_, Some(r)) => match r.kind {
            Kind::Date => SortKey::Date(r.stored_as()),
            Kind::Token | Kind::Uri => SortKey::Token(r.stored_as()),
            Kind::String => SortKey::String(r.stored_as()),
            _ => {
                out.warnings.push(format!(
                    "_sort={first}: sorting on {:?} parameters is not supported; ignored",
                    r.kind
                ));
                return;
            }
        },
        (_, None) => {
            out.warnings.push(format!(
                "_sort={first}: unknown search parameter '{name}' for {rtype}; ignored"
            ));
            return;
        }
    };
    out.sort = Sort { key, desc };
}

/// One parameter: `Err` for malformed input (always 400), `Ok(Err)` for valid but unsupported.
fn param(
    out: &mut ParsedSearch,
    rule: &'static ParamRule,
    modifier: Option<&str>,
    value: &str,
    key: &[u8; 32],
) -> Result<std::result::Result<(), Unsupported>> {
    if let Some(m) = modifier {
        let typed = rule.kind == Kind::Reference && m.starts_with(|c: char| c.is_ascii_uppercase());
        if !typed && !modifiers(rule).contains(&m) {
            if KNOWN_MODIFIERS.contains(&m) {
                let why = if rule.blind {
                    ": it is an encrypted, identifying field"
                } else {
                    ""
                };
                return Ok(Err(Unsupported(format!(
                    "':{m}' is not supported on '{}'{why}",
                    rule.name
                ))));
            }
            return Err(StoreError::InvalidSearch(format!(
                "modifier ':{m}' is not supported on '{}'",
                rule.name
            )));
        }
    }
    match modifier {
        Some("missing") => {
            let missing = match value {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(StoreError::InvalidSearch(format!(
                        "'{}:missing' takes true or false, got '{value}'",
                        rule.name
                    )));
                }
            };
            // A reference limited to one target type may be read from an unlimited one's rows.
            let present = match (rule.kind, rule.target) {
                (Kind::Reference, Some(t)) => Match::RefTo(t.to_owned()),
                _ => Match::Present(table_of(rule)),
            };
            out.clauses.push(Clause::Index {
                params: rule.stored_as(),
                negate: missing,
                any_of: vec![present],
            });
            Ok(Ok(()))
        }
        Some("text") => {
            let any: Vec<Vec<String>> = value
                .split(',')
                .map(|v| words(&normalize(v)).map(str::to_owned).collect::<Vec<_>>())
                .filter(|w| !w.is_empty())
                .collect();
            if any.is_empty() {
                return Err(StoreError::InvalidSearch(format!(
                    "parameter '{}' has no value",
                    rule.name
                )));
            }
            out.post_filters.push(PostFilter {
                rule,
                how: PostMatch::Text(any),
            });
            Ok(Ok(()))
        }
        _ => add_param(out, rule, modifier, value, key).map(Ok),
    }
}

fn add_param(
    out: &mut ParsedSearch,
    rule: &'static ParamRule,
    modifier: Option<&str>,
    value: &str,
    key: &[u8; 32],
) -> Result<()> {
    let params = rule.stored_as();
    let bad_modifier = || {
        StoreError::InvalidSearch(format!(
            "modifier ':{}' is not supported on '{}'",
            modifier.unwrap_or(""),
            rule.name
        ))
    };
    let alternatives: Vec<&str> = value.split(',').filter(|v| !v.is_empty()).collect();
    if alternatives.is_empty() {
        return Err(StoreError::InvalidSearch(format!(
            "parameter '{}' has no value",
            rule.name
        )));
    }
    match (rule.kind, rule.blind) {
        (Kind::Token, blind_rule) => {
            let negate = match modifier {
                None => false,
                Some("not") => true,
                _ => return Err(bad_modifier()),
            };
            let any_of = alternatives
                .iter()
                .map(|v| token_match(rule.name, v, blind_rule.then_some(key)))
                .collect();
            out.clauses.push(Clause::Index {
                params,
                negate,
                any_of,
            });
        }
        (Kind::Uri, _) => {
            if modifier.is_some() {
                return Err(bad_modifier());
            }
            // A URI is one code: a `|` in it (a canonical's version) is part of the value.
            let any_of = alternatives
                .iter()
                .map(|v| Match::Token {
                    system: Some(String::new()),
                    code: Some((*v).to_owned()),
                })
                .collect();
            out.clauses.push(Clause::Index {
                params,
                negate: false,
                any_of,
            });
        }
        (Kind::String, false) => {
            let how = match modifier {
                None => StringMatch::Prefix,
                Some("exact") => StringMatch::Exact,
                Some("contains") => StringMatch::Contains,
                _ => return Err(bad_modifier()),
            };
            let any_of = alternatives
                .iter()
                .map(|v| Match::String {
                    value: normalize(v),
                    how,
                })
                .collect();
            out.clauses.push(Clause::Index {
                params,
                negate: false,
                any_of,
            });
        }
        (Kind::String, true) => blind_string(out, rule, modifier, &alternatives, key)?,
        (Kind::Date, false) => {
            if modifier.is_some() {
                return Err(bad_modifier());
            }
            for v in alternatives {
                let (negate, cond) = date_cond(rule.name, v)?;
                out.clauses.push(Clause::Index {
                    params: params.clone(),
                    negate,
                    any_of: vec![Match::Date(cond)],
                });
            }
        }
        (Kind::Date, true) => {
            if modifier.is_some() {
                return Err(bad_modifier());
            }
            let any_of = alternatives
                .iter()
                .map(|v| blind_date(rule.name, v, key))
                .collect::<Result<Vec<_>>>()?;
            out.clauses.push(Clause::Index {
                params,
                negate: false,
                any_of,
            });
        }
        (Kind::Reference, _) => {
            let any_of = alternatives
                .iter()
                .map(|v| reference_match(rule, v, modifier))
                .collect::<Result<Vec<_>>>()?;
            out.clauses.push(Clause::Index {
                params,
                negate: false,
                any_of,
            });
        }
        (Kind::Quantity | Kind::Number, _) => {
            if modifier.is_some() {
                return Err(bad_modifier());
            }
            for v in alternatives {
                if rule.kind == Kind::Number && v.contains('|') {
                    return Err(StoreError::InvalidSearch(format!(
                        "'{}' is a number: no system or unit, got '{v}'",
                        rule.name
                    )));
                }
                let (negate, m) = quantity_match(rule.name, v)?;
                out.clauses.push(Clause::Index {
                    params: params.clone(),
                    negate,
                    any_of: vec![m],
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn unknown_params_warn() {
        let s = parse(
            "Observation",
            &q(&[("foo", "1"), ("code", "1234-5")]),
            &[0; 32],
        )
        .unwrap();
        assert_eq!(s.warnings.len(), 1);
        assert_eq!(s.clauses.len(), 1);
    }

    #[test]
    fn blind_rules() {
        let key = [0u8; 32];
        assert!(
            parse("Patient", &q(&[("name", "ro")]), &key).is_err(),
            "too short"
        );
        let s = parse("Patient", &q(&[("name:contains", "ross")]), &key).unwrap();
        assert!(s.clauses.is_empty() && s.warnings[0].contains("encrypted"));
        let s = parse("Patient", &q(&[("_sort", "-birthdate")]), &key).unwrap();
        assert_eq!(s.sort, Sort::default());
        assert_eq!(s.warnings.len(), 1);
        let s = parse("Patient", &q(&[("name", "Mariangela Rossi")]), &key).unwrap();
        assert_eq!(s.clauses.len(), 2);
        assert_eq!(
            s.post_filters.len(),
            1,
            "long prefix is checked after decryption"
        );
        assert!(parse("Patient", &q(&[("birthdate", "ge1980-01-01")]), &key).is_err());
        assert!(parse("Patient", &q(&[("birthdate", "1980-01-01")]), &key).is_ok());
    }

    #[test]
    fn bad_values_are_precise() {
        let err = parse("Observation", &q(&[("date", "ge2024-13-01")]), &[0; 32]).unwrap_err();
        assert!(err.to_string().contains("2024-13-01"), "{err}");
        assert!(parse("Observation", &q(&[("_count", "x")]), &[0; 32]).is_err());
        assert!(parse("Observation", &q(&[("value-quantity", "gtabc")]), &[0; 32]).is_err());
    }

    #[test]
    fn sort_and_missing() {
        let s = parse("Observation", &q(&[("_sort", "-date,_id")]), &[0; 32]).unwrap();
        assert_eq!(
            s.sort,
            Sort {
                key: SortKey::Date(vec!["date".into()]),
                desc: true
            }
        );
        assert_eq!(s.warnings.len(), 1, "second key ignored");
        let s = parse(
            "Observation",
            &q(&[("encounter:missing", "true")]),
            &[0; 32],
        )
        .unwrap();
        assert!(matches!(
            &s.clauses[0],
            Clause::Index { negate: true, any_of, .. } if any_of[0].table() == Table::Ref
        ));
        assert!(parse("Observation", &q(&[("encounter:missing", "yes")]), &[0; 32]).is_err());
    }
}
