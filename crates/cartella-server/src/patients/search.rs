//! Registry search: one text box that is read as a birth date (`1985-12-10`, `10/12/1985`,
//! `10.12.1985`), an identifier (anything with a digit: codice fiscale, NIR, KVNR, MRN), or
//! name prefixes (every word of at least 3 letters, matched through the blind index); plus the
//! active filter and keyset paging. Also the duplicate check of a new registration.

use super::error::PatientError;
use super::service::PATIENT;
use cartella_core::patient::{IdentifierKind, PatientSummary, ValidPatient, fhir, parse_date};
use cartella_store::{AccessContext, Store};
use serde::Serialize;
use serde_json::Value;

type Result<T> = std::result::Result<T, PatientError>;

pub const DEFAULT_COUNT: usize = 20;
pub const MAX_COUNT: usize = 100;
/// Shortest name prefix the blind index can answer.
pub const MIN_PREFIX: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// What the user typed (empty: every patient, newest change first).
    pub text: String,
    /// `Some(true)`: only active patients; `Some(false)`: only inactive ones.
    pub active: Option<bool>,
    /// Page size (default 20, at most 100).
    pub count: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Also count every match (costs a second query; not for as-you-type).
    pub total: bool,
}

/// How the text was understood (the UI can say "searching by birth date").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    All,
    Name,
    BirthDate,
    Identifier,
    /// No word has 3 letters yet: nothing was searched.
    TooShort,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub patients: Vec<PatientSummary>,
    pub next_cursor: Option<String>,
    pub total: Option<u64>,
    pub kind: QueryKind,
}

/// Read the text box into FHIR search parameters.
fn interpret(text: &str) -> (QueryKind, Vec<(String, String)>, Vec<String>) {
    let text = text.trim();
    if text.is_empty() {
        return (QueryKind::All, Vec::new(), Vec::new());
    }
    if let Some(date) = parse_date(text) {
        return (
            QueryKind::BirthDate,
            vec![("birthdate".into(), date.to_string())],
            Vec::new(),
        );
    }
    if text.chars().any(|c| c.is_ascii_digit()) {
        // National numbers are stored canonical (no spaces, upper case): search them so.
        let value = IdentifierKind::ALL
            .into_iter()
            .find_map(|k| k.canonical(text))
            .unwrap_or_else(|| text.to_owned());
        return (
            QueryKind::Identifier,
            vec![("identifier".into(), value)],
            Vec::new(),
        );
    }
    // Short words ("M" of "Rossi M") cannot go to the index: they filter the results instead.
    // Commas ("Rossi, Maria") separate words here; to the store they would mean "or".
    let (long, short): (Vec<&str>, Vec<&str>) = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .partition(|w| w.chars().count() >= MIN_PREFIX);
    if long.is_empty() {
        return (QueryKind::TooShort, Vec::new(), Vec::new());
    }
    let params = long
        .into_iter()
        .map(|w| ("name".to_owned(), w.to_owned()))
        .collect();
    let short = short.into_iter().map(fold).collect();
    (QueryKind::Name, params, short)
}

/// Lower case without accents, as the index compares names.
fn fold(s: &str) -> String {
    cartella_store::crypto::normalize::normalize(s)
}

fn has_word_starting(summary: &PatientSummary, prefix: &str) -> bool {
    let names = fold(&format!("{} {}", summary.family, summary.given));
    names
        .split(|c: char| c.is_whitespace() || c == '-' || c == '\'')
        .any(|w| w.starts_with(prefix))
}

pub async fn search(store: &Store, ctx: &AccessContext, q: &SearchQuery) -> Result<SearchResults> {
    let (kind, mut params, short) = interpret(&q.text);
    if kind == QueryKind::TooShort {
        return Ok(SearchResults {
            patients: Vec::new(),
            next_cursor: None,
            total: None,
            kind,
        });
    }
    match q.active {
        // A Patient without `active` is active (FHIR), so "active" is "not false".
        Some(true) => params.push(("active:not".into(), "false".into())),
        Some(false) => params.push(("active".into(), "false".into())),
        None => {}
    }
    let count = q.count.unwrap_or(DEFAULT_COUNT).clamp(1, MAX_COUNT);
    params.push(("_count".into(), count.to_string()));
    if let Some(c) = q.cursor.as_deref().filter(|c| !c.is_empty()) {
        params.push(("_cursor".into(), c.to_owned()));
    }
    if q.total {
        params.push(("_total".into(), "accurate".into()));
    }
    let page = store.search(ctx, PATIENT, &params).await?;
    let patients = page
        .resources
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.json).ok())
        .map(|v| fhir::to_summary(&v))
        .filter(|s| short.iter().all(|p| has_word_starting(s, p)))
        .collect();
    Ok(SearchResults {
        patients,
        next_cursor: page.next,
        total: page.total,
        kind,
    })
}

/// Patients that look like `valid`: same family name and first given name (whole words) and
/// the same birth date; `except` leaves out the patient being edited.
pub(super) async fn duplicates(
    store: &Store,
    ctx: &AccessContext,
    valid: &ValidPatient,
    except: Option<&str>,
) -> Result<Vec<PatientSummary>> {
    let mut params = vec![
        ("family:exact".to_owned(), valid.family.clone()),
        ("birthdate".to_owned(), valid.birth_date.to_string()),
        ("_count".to_owned(), "20".to_owned()),
    ];
    if let Some(first) = valid.given.first() {
        params.push(("given:exact".into(), first.clone()));
    }
    let page = store.search(ctx, PATIENT, &params).await?;
    Ok(page
        .resources
        .iter()
        .filter(|r| Some(r.id.as_str()) != except)
        .filter_map(|r| serde_json::from_slice::<Value>(&r.json).ok())
        // A patient already merged into another is not a duplicate to warn about.
        .filter(|v| !replaced(v))
        .map(|v| fhir::to_summary(&v))
        .collect())
}

/// Has this Patient been merged into another (`link` of type `replaced-by`)?
pub(super) fn replaced(p: &Value) -> bool {
    p["link"]
        .as_array()
        .is_some_and(|l| l.iter().any(|x| x["type"] == "replaced-by"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_box_is_read_by_shape() {
        assert_eq!(interpret("").0, QueryKind::All);
        let (k, p, _) = interpret("10/12/1985");
        assert_eq!((k, p[0].1.as_str()), (QueryKind::BirthDate, "1985-12-10"));
        assert_eq!(interpret("10.12.1985").0, QueryKind::BirthDate);
        let (k, p, _) = interpret("rssmra85t10a562s");
        assert_eq!(
            (k, p[0].1.as_str()),
            (QueryKind::Identifier, "RSSMRA85T10A562S")
        );
        assert_eq!(interpret("MRN-0042").0, QueryKind::Identifier);
        let (k, p, short) = interpret("Rossi m");
        assert_eq!(k, QueryKind::Name);
        assert_eq!(p, [("name".to_owned(), "Rossi".to_owned())]);
        assert_eq!(short, ["m"]);
        assert_eq!(interpret("ro").0, QueryKind::TooShort);
        let (_, p, _) = interpret("Rossi,Maria");
        assert_eq!(p.len(), 2, "both words must match");
    }
}
