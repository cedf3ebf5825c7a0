//! Parameter values and modifiers: which modifiers a parameter takes, and FHIR values (tokens,
//! blind names and dates, dates with prefixes, references, quantities) as plan matches.

use super::dates::parse_range;
use super::parse::{ParsedSearch, PostFilter, PostMatch};
use super::plan::*;
use crate::crypto::blind;
use crate::crypto::normalize::{normalize, words};
use crate::error::{Result, StoreError};
use crate::extract::{Kind, ParamRule};
use cartella_core::resource_types::R4_RESOURCE_TYPES;

/// The modifiers a parameter accepts (besides `:[type]` on references). Refusals below are
/// checked against this table first, and the CapabilityStatement declares it.
pub fn modifiers(rule: &ParamRule) -> &'static [&'static str] {
    match (rule.kind, rule.blind) {
        (Kind::Token, false) => &["missing", "not", "text"],
        (Kind::Token, true) => &["missing", "not"],
        (Kind::String, false) => &["missing", "exact", "contains"],
        (Kind::String, true) => &["missing", "exact"],
        (Kind::Reference, _) => &["missing"],
        (Kind::Uri, _) => &["missing"],
        (Kind::Date | Kind::Quantity | Kind::Number, _) => &["missing"],
    }
}

/// Modifiers FHIR defines that Cartella does not support on some parameters: ignored with a
/// warning (lenient) rather than refused, so a client can still get the broader answer.
pub(super) const KNOWN_MODIFIERS: &[&str] = &[
    "missing",
    "exact",
    "contains",
    "text",
    "not",
    "above",
    "below",
    "in",
    "not-in",
    "of-type",
    "identifier",
];

/// The index table a parameter's rows live in.
pub(super) fn table_of(rule: &ParamRule) -> Table {
    match (rule.kind, rule.blind) {
        (_, true) => Table::Blind,
        (Kind::Token | Kind::Uri, _) => Table::Token,
        (Kind::String, _) => Table::String,
        (Kind::Date, _) => Table::Date,
        (Kind::Reference, _) => Table::Ref,
        (Kind::Quantity | Kind::Number, _) => Table::Quantity,
    }
}

pub(super) fn token_match(param: &str, value: &str, blind_key: Option<&[u8; 32]>) -> Match {
    let (system, code) = match value.split_once('|') {
        Some((s, c)) => (Some(s.to_owned()), (!c.is_empty()).then(|| c.to_owned())),
        None => (None, Some(value.to_owned())),
    };
    match blind_key {
        None => Match::Token { system, code },
        Some(key) => {
            let code = normalize(code.as_deref().unwrap_or(""));
            let token = match system {
                Some(s) => blind::token(key, param, "sv", &format!("{s}|{code}")),
                None => blind::token(key, param, "v", &code),
            };
            Match::Blind(vec![token])
        }
    }
}

/// Names on the blind index: every word of the query must match a word of the value (by
/// prefix, or whole with `:exact`). Alternatives (comma) are not supported across words.
pub(super) fn blind_string(
    out: &mut ParsedSearch,
    rule: &'static ParamRule,
    modifier: Option<&str>,
    alternatives: &[&str],
    key: &[u8; 32],
) -> Result<()> {
    let exact = match modifier {
        None => false,
        Some("exact") => true,
        _ => {
            return Err(StoreError::InvalidSearch(format!(
                "modifier ':{}' is not supported on '{}'",
                modifier.unwrap_or(""),
                rule.name
            )));
        }
    };
    let mut any_of = Vec::new();
    for alt in alternatives {
        let norm = normalize(alt);
        let alt_words: Vec<&str> = words(&norm).collect();
        if alt_words.len() > 1 && alternatives.len() > 1 {
            return Err(StoreError::InvalidSearch(format!(
                "'{}': use either several words or several alternatives",
                rule.name
            )));
        }
        for word in alt_words {
            let token = if exact {
                blind::token(key, rule.name, "word", word)
            } else {
                if word.chars().count() > blind::MAX_PREFIX {
                    out.post_filters.push(PostFilter {
                        rule,
                        how: PostMatch::WordPrefix(word.to_owned()),
                    });
                }
                blind::prefix_search_token(key, rule.name, word).ok_or_else(|| {
                    StoreError::InvalidSearch(format!(
                        "'{}' needs at least {} characters per word",
                        rule.name,
                        blind::MIN_PREFIX
                    ))
                })?
            };
            if alternatives.len() > 1 {
                any_of.push(token);
            } else {
                out.clauses.push(Clause::Index {
                    params: vec![rule.name.to_owned()],
                    negate: false,
                    any_of: vec![Match::Blind(vec![token])],
                });
            }
        }
    }
    if !any_of.is_empty() {
        out.clauses.push(Clause::Index {
            params: vec![rule.name.to_owned()],
            negate: false,
            any_of: vec![Match::Blind(any_of)],
        });
    }
    Ok(())
}

pub(super) fn blind_date(param: &str, value: &str, key: &[u8; 32]) -> Result<Match> {
    let v = value.strip_prefix("eq").unwrap_or(value);
    let kind = match v.len() {
        10 => "day",
        7 => "month",
        4 => "year",
        _ => "",
    };
    if kind.is_empty() || parse_range(v).is_none() {
        return Err(StoreError::InvalidSearch(format!(
            "'{param}' is encrypted: search it by exact day (YYYY-MM-DD), month (YYYY-MM) or year (YYYY), got '{value}'"
        )));
    }
    Ok(Match::Blind(vec![blind::token(key, param, kind, v)]))
}

pub(super) const PREFIXES: [&str; 9] = ["eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"];

pub(super) fn split_prefix(value: &str) -> (&str, &str) {
    match value.get(..2) {
        Some(p) if PREFIXES.contains(&p) => (p, &value[2..]),
        _ => ("eq", value),
    }
}

/// A date parameter value → `(negate, bounds)`; see [`DateCond`].
pub fn date_cond(param: &str, value: &str) -> Result<(bool, DateCond)> {
    let (prefix, v) = split_prefix(value);
    let (slo, shi) = parse_range(v).ok_or_else(|| {
        StoreError::InvalidSearch(format!("'{param}': '{v}' is not a valid FHIR date"))
    })?;
    let mut c = DateCond::default();
    let mut negate = false;
    match prefix {
        "eq" => (c.lo_ge, c.hi_le) = (Some(slo), Some(shi)),
        "ne" => {
            (c.lo_ge, c.hi_le) = (Some(slo), Some(shi));
            negate = true;
        }
        "gt" => c.hi_ge = Some(shi.saturating_add(1)),
        "lt" => c.lo_le = Some(slo.saturating_sub(1)),
        "ge" => c.hi_ge = Some(slo),
        "le" => c.lo_le = Some(shi),
        "sa" => c.lo_ge = Some(shi.saturating_add(1)),
        "eb" => c.hi_le = Some(slo.saturating_sub(1)),
        _ => {
            // ap: within 10% of the distance from now, at least a day.
            let now = cartella_core::Timestamp::now().micros();
            let pad = ((now - slo).abs() / 10).max(86_400_000_000);
            (c.lo_le, c.hi_ge) = (Some(shi.saturating_add(pad)), Some(slo.saturating_sub(pad)));
        }
    }
    Ok((negate, c))
}

pub(super) fn reference_match(
    rule: &ParamRule,
    value: &str,
    modifier: Option<&str>,
) -> Result<Match> {
    let trimmed = value.trim_end_matches('/');
    let mut parts = trimmed.rsplit('/');
    let id = parts.next().unwrap_or_default().to_owned();
    let typed = parts.next().map(str::to_owned);
    // `subject:Patient=1` and `subject=Patient/1` must name a type the parameter can point to.
    let named = modifier
        .filter(|m| m.starts_with(|c: char| c.is_ascii_uppercase()))
        .or(typed.as_deref());
    if let Some(t) = named
        && !rule.targets.is_empty()
        && !rule.targets.contains(&t)
    {
        let why = if R4_RESOURCE_TYPES.contains(&t) {
            format!("'{}' does not refer to {t}", rule.name)
        } else {
            format!("'{t}' is not an R4 resource type")
        };
        return Err(StoreError::InvalidSearch(format!(
            "{why} (it refers to {})",
            rule.targets.join(", ")
        )));
    }
    let target_type = match (modifier, typed) {
        (Some(m), _) if m.starts_with(|c: char| c.is_ascii_uppercase()) => Some(m.to_owned()),
        (Some(m), _) => {
            return Err(StoreError::InvalidSearch(format!(
                "modifier ':{m}' is not supported on references"
            )));
        }
        (None, t) => t,
    };
    if id.is_empty() {
        return Err(StoreError::InvalidSearch("empty reference".into()));
    }
    // A parameter limited to one target type (`patient`) names it: its rows may be those of
    // an unlimited parameter (`subject`), which also point elsewhere.
    let target_type = match (rule.target, target_type) {
        (Some(only), Some(t)) if t != only => {
            return Err(StoreError::InvalidSearch(format!(
                "'{}' refers to {only} only, not {t}",
                rule.name
            )));
        }
        (Some(only), _) => Some(only.to_owned()),
        (None, t) => t,
    };
    Ok(Match::Ref {
        target_type,
        target_id: id,
    })
}

pub(super) fn quantity_match(param: &str, value: &str) -> Result<(bool, Match)> {
    let (prefix, rest) = split_prefix(value);
    let mut parts = rest.splitn(3, '|');
    let number = parts.next().unwrap_or_default();
    let system = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
    let code = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
    let v: f64 = number
        .parse()
        .map_err(|_| StoreError::InvalidSearch(format!("'{param}': '{number}' is not a number")))?;
    // Implicit precision: "5.4" means [5.35, 5.45).
    let decimals = number.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    let half = 0.5 * 10f64.powi(-decimals);
    let mut cond = NumCond::default();
    let mut negate = false;
    match prefix {
        "eq" => (cond.min, cond.max) = (Some((v - half, true)), Some((v + half, false))),
        "ap" => {
            // Approximately: within 10% of the value (never narrower than its precision).
            let pad = (v.abs() * 0.1).max(half);
            (cond.min, cond.max) = (Some((v - pad, true)), Some((v + pad, true)));
        }
        "ne" => {
            (cond.min, cond.max) = (Some((v - half, true)), Some((v + half, false)));
            negate = true;
        }
        "gt" | "sa" => cond.min = Some((v, false)),
        "lt" | "eb" => cond.max = Some((v, false)),
        "ge" => cond.min = Some((v, true)),
        _ => cond.max = Some((v, true)),
    }
    Ok((negate, Match::Quantity { cond, system, code }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_prefixes_map_to_bounds() {
        let (_, c) = date_cond("date", "ge2021-01-01").unwrap();
        assert!(c.hi_ge.is_some() && c.lo_ge.is_none());
        let (neg, _) = date_cond("date", "ne2021").unwrap();
        assert!(neg);
    }

    #[test]
    fn approximately_is_within_ten_percent() {
        let (_, m) = quantity_match("value-quantity", "ap100").unwrap();
        let Match::Quantity { cond, .. } = m else {
            panic!("{m:?}")
        };
        assert_eq!(cond.min, Some((90.0, true)));
        assert_eq!(cond.max, Some((110.0, true)));
    }

    #[test]
    fn typed_references_must_name_a_target_of_the_parameter() {
        let subject = crate::extract::rules::rule("Observation", "subject").unwrap();
        assert!(reference_match(subject, "Patient/1", None).is_ok());
        assert!(reference_match(subject, "1", Some("Group")).is_ok());
        let err = reference_match(subject, "1", Some("Foo")).unwrap_err();
        assert!(
            err.to_string().contains("'Foo' is not an R4 resource type"),
            "{err}"
        );
        let err = reference_match(subject, "Medication/1", None).unwrap_err();
        assert!(
            err.to_string().contains("does not refer to Medication"),
            "{err}"
        );
    }
}
