//! Prescribing alerts against the shipped tables, and validation of practice extensions.

use super::*;
use crate::{Lang, TermError};

fn kinds(alerts: &[Alert]) -> Vec<(AlertKind, Severity, &str)> {
    alerts
        .iter()
        .map(|a| (a.kind, a.severity, a.trigger.as_str()))
        .collect()
}

#[test]
fn the_shipped_tables_load_with_sources() {
    let (classes, drugs, cross, interactions) = Rules::builtin().sizes();
    assert!(
        classes >= 30 && drugs >= 100 && cross >= 4 && interactions >= 30,
        "{:?}",
        Rules::builtin().sizes()
    );
    assert!(
        Rules::builtin()
            .interactions
            .iter()
            .all(|r| !r.source.is_empty() && r.message.it.is_some())
    );
    assert_eq!(Rules::builtin().atc("Amoxicillina"), Some("J01CA04"));
    assert_eq!(
        Rules::builtin().classes_of("warfarin"),
        ["anticoagulants", "vka"]
    );
}

#[test]
fn allergy_to_the_drug_itself_in_any_spelling() {
    let alerts = check_prescription("Amoxicillina 1 g compresse", &["AMOXICILLINE"], &[]);
    assert_eq!(
        kinds(&alerts),
        [(
            AlertKind::Allergy,
            Severity::Contraindicated,
            "AMOXICILLINE"
        )]
    );
    assert_eq!(alerts[0].drug, "amoxicillin");
    assert!(
        alerts[0]
            .message
            .get(Lang::It)
            .starts_with("Allergia documentata")
    );
    // Uncoded names still match literally, and only themselves.
    assert_eq!(
        check_prescription("Zyxoprofen", &["zyxoprofen"], &[]).len(),
        1
    );
    assert!(check_prescription("Zyxoprofen", &["penicillin"], &["warfarin"]).is_empty());
}

#[test]
fn allergy_to_a_class_or_to_a_member_of_an_allergy_group() {
    let by_class = check_prescription("amoxicillin", &["Penicillin"], &[]);
    assert_eq!(
        kinds(&by_class),
        [(AlertKind::Allergy, Severity::Contraindicated, "Penicillin")]
    );
    assert!(
        by_class[0].message.en.contains("Penicillins"),
        "{}",
        by_class[0].message.en
    );
    let by_member = check_prescription("naproxen", &["ibuprofène"], &[]);
    assert_eq!(
        kinds(&by_member),
        [(AlertKind::Allergy, Severity::Major, "ibuprofène")]
    );
    assert!(
        check_prescription("naproxen", &["FANS"], &[])[0].severity == Severity::Contraindicated
    );
    // Statins are not an allergy group: an atorvastatin allergy says nothing about rosuvastatin.
    assert!(check_prescription("rosuvastatin", &["atorvastatin"], &[]).is_empty());
}

#[test]
fn penicillin_allergy_cross_reacts_with_cephalosporins_at_lower_severity() {
    let alerts = check_prescription("ceftriaxone", &["amoxicillin"], &[]);
    assert_eq!(
        kinds(&alerts),
        [(
            AlertKind::CrossReactivity,
            Severity::Moderate,
            "amoxicillin"
        )]
    );
    assert!(alerts[0].source.contains("BNF"));
    let carbapenem = check_prescription("meropenem", &["penicillins"], &[]);
    assert_eq!(
        kinds(&carbapenem),
        [(AlertKind::CrossReactivity, Severity::Minor, "penicillins")]
    );
    assert!(check_prescription("ciprofloxacin", &["amoxicillin"], &[]).is_empty());
}

#[test]
fn interactions_with_active_medications_by_drug_or_class() {
    let alerts = check_prescription(
        "ibuprofen",
        &[],
        &["Warfarin 5 mg", "ramipril", "paracetamol"],
    );
    assert_eq!(
        kinds(&alerts),
        [
            (AlertKind::Interaction, Severity::Major, "Warfarin 5 mg"),
            (AlertKind::Interaction, Severity::Moderate, "ramipril")
        ]
    );
    assert!(
        alerts[0]
            .message
            .en
            .starts_with("Vitamin K antagonist with an NSAID"),
        "the specific rule wins"
    );
    let cases = [
        ("clarithromycin", "warfarin", Severity::Major),
        ("sertraline", "moclobemide", Severity::Contraindicated),
        ("spironolactone", "enalapril", Severity::Major),
        ("trimethoprim", "methotrexate", Severity::Contraindicated),
        ("co-trimoxazole", "methotrexate", Severity::Contraindicated),
        ("clarithromycin", "simvastatin", Severity::Contraindicated),
        (
            "sildenafil",
            "isosorbide mononitrate",
            Severity::Contraindicated,
        ),
        ("linezolid", "citalopram", Severity::Contraindicated),
        ("diazepam", "oxycodone", Severity::Major),
        ("rivaroxaban", "aspirin", Severity::Major),
    ];
    for (drug, med, severity) in cases {
        let alerts = check_prescription(drug, &[], &[med]);
        assert_eq!(
            kinds(&alerts),
            [(AlertKind::Interaction, severity, med)],
            "{drug} + {med}"
        );
    }
    // Rosuvastatin is not a CYP3A4 substrate of concern; the same drug twice is no interaction.
    assert!(check_prescription("rosuvastatin", &[], &["clarithromycin"]).is_empty());
    assert!(check_prescription("warfarin", &[], &["warfarin"]).is_empty());
}

#[test]
fn alerts_come_most_severe_first() {
    let alerts = check_prescription("ibuprofen", &["naproxen"], &["ramipril", "lithium"]);
    let severities: Vec<_> = alerts.iter().map(|a| a.severity).collect();
    assert_eq!(
        severities,
        [Severity::Major, Severity::Major, Severity::Moderate]
    );
}

#[test]
fn a_practice_extends_the_tables() {
    let mut rules = Rules::builtin().clone();
    rules
        .extend_from_toml(
            r#"
            [[class]]
            id = "gliptins"
            name = "DPP-4 inhibitors"
            names = { it = "Gliptine" }

            [[drug]]
            inn = "sitagliptin"
            atc = "A10BH01"
            classes = ["gliptins"]
            synonyms = ["sitagliptina"]

            [[interaction]]
            a = "gliptins"
            b = "ace-inhibitors"
            severity = "minor"
            message = "Possible increased risk of angioedema."
            source = "Practice protocol 2025-03"
            "#,
        )
        .unwrap();
    let alerts = rules.check_prescription("Sitagliptina", &["gliptine"], &["ramipril"]);
    assert_eq!(
        kinds(&alerts),
        [
            (AlertKind::Allergy, Severity::Contraindicated, "gliptine"),
            (AlertKind::Interaction, Severity::Minor, "ramipril")
        ]
    );
    assert!(
        check_prescription("sitagliptin", &[], &["ramipril"]).is_empty(),
        "the shipped set is untouched"
    );
}

#[test]
fn extensions_are_validated_all_or_nothing_with_a_path() {
    let cases = [
        (
            "[[drug]]\ninn = \"x1\"\nclasses = [\"penicilins\"]",
            "drug[0].classes[0]",
            "unknown class `penicilins`",
        ),
        (
            "[[drug]]\ninn = \"newdrug\"\nsynonyms = [\"ok\", \"Amoxicilline\"]",
            "drug[0].synonyms[1]",
            "already names amoxicillin",
        ),
        (
            "[[drug]]\ninn = \"newdrug\"\natc = \"J01\"",
            "drug[0].atc",
            "not a 7-character ATC code",
        ),
        (
            "[[class]]\nid = \"new\"\nname = \"New\"\nparents = [\"later\"]",
            "class[0].parents[0]",
            "unknown class `later`",
        ),
        (
            "[[interaction]]\na = \"warfarin\"\nb = \"warfarn\"\nseverity = \"major\"\nmessage = \"m\"\nsource = \"s\"",
            "interaction[0].b",
            "unknown drug or class `warfarn`",
        ),
        (
            "[[interaction]]\na = \"warfarin\"\nb = \"aspirin\"\nseverity = \"major\"\nmessage = \"m\"\nsource = \" \"",
            "interaction[0].source",
            "needs its source",
        ),
        (
            "[[interaction]]\na = \"warfarin\"\nb = \"aspirin\"\nseverity = \"severe\"\nmessage = \"m\"\nsource = \"s\"",
            "toml",
            "unknown variant `severe`",
        ),
        (
            "[[drug]]\ninn = \"x\"\nclass = [\"nsaids\"]",
            "toml",
            "unknown field `class`",
        ),
        ("[[drug]\n", "toml", "line 1"),
    ];
    for (source, path, needle) in cases {
        let mut rules = Rules::builtin().clone();
        let before = rules.sizes();
        match rules.extend_from_toml(source) {
            Err(TermError::Rules { path: p, message }) => {
                assert_eq!(p, path, "{source}: {message}");
                assert!(message.contains(needle), "{source}: {message}");
            }
            other => panic!("{source}: {other:?}"),
        }
        assert_eq!(rules.sizes(), before, "nothing partial is kept");
    }
    // A valid drug before an invalid one is not kept either.
    let mut rules = Rules::builtin().clone();
    let partial = "[[drug]]\ninn = \"gooddrug\"\n[[drug]]\ninn = \"bad\"\nclasses = [\"nope\"]";
    assert!(rules.extend_from_toml(partial).is_err());
    assert!(!rules.recognises("gooddrug"));
}
