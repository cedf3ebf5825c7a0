//! Behaviour of the shipped ICD-10-CM table: lookup, hierarchy, code parsing, localisation and
//! search ranking, checked against codes a clinician would actually look for.

use super::*;
use crate::TermError;

fn codes(hits: &[Icd10Entry]) -> Vec<&'static str> {
    hits.iter().map(|e| e.code()).collect()
}

#[test]
fn the_release_has_the_documented_counts() {
    let stats = Icd10::warm_up();
    // The source's 98,505 rows: 22 chapters, 336 block rows (of which DUP are the second row of
    // a single-category block, i.e. that category), 1,879 categories, 96,268 subcategories.
    const DUP: usize = 39;
    assert_eq!(stats.rows, 98_505);
    assert_eq!(Icd10::chapters().len(), 22);
    assert_eq!(stats.codes, 1_879 + DUP + 96_268);
    // 74,736 `Y` rows, less 12 blocks flagged billable and 5 single-category blocks counted twice.
    assert_eq!(stats.billable, 74_736 - 12 - 5);
}

#[test]
fn get_accepts_any_spelling_and_every_kind() {
    let e = Icd10::get("m545").expect("M54.5");
    assert_eq!(
        (e.code(), e.description(), e.is_billable()),
        ("M54.5", "Low back pain", false)
    );
    assert_eq!(
        Icd10::get(" E11.9 ").unwrap().kind(),
        Icd10Kind::Subcategory
    );
    assert!(
        Icd10::get("I10").unwrap().is_billable(),
        "a billable category"
    );
    assert_eq!(Icd10::get("M50-M54").unwrap().kind(), Icd10Kind::Block);
    assert_eq!(Icd10::get("13").unwrap().kind(), Icd10Kind::Chapter);
    assert!(Icd10::get("M54.55").is_none());
    assert!(Icd10::get("").is_none());
    assert!(Icd10::get("23").is_none());
}

#[test]
fn hierarchy_walks_up_to_the_chapter_and_down_to_children() {
    let e = Icd10::get("S52.521A").unwrap();
    let up: Vec<_> = codes(&e.ancestors());
    assert_eq!(up, ["S52.521", "S52.52", "S52.5", "S52", "S50-S59", "19"]);
    assert_eq!(e.category().unwrap().code(), "S52");
    assert_eq!(e.block().unwrap().code(), "S50-S59");
    assert_eq!(e.chapter().code(), "19");
    let m54 = Icd10::get("M54").unwrap();
    assert_eq!(m54.parent().unwrap().code(), "M50-M54");
    assert_eq!(
        codes(&Icd10::get("M54.5").unwrap().children()),
        ["M54.50", "M54.51", "M54.59"]
    );
    // Blocks nest: C00-C14 sits in C00-C75, itself in C00-C96.
    assert_eq!(
        codes(&Icd10::get("C01").unwrap().ancestors()),
        ["C00-C14", "C00-C75", "C00-C96", "2"]
    );
    // Letter-suffixed ranges compare as the tabular list orders them.
    assert_eq!(
        Icd10::get("I1A.0").unwrap().block().unwrap().code(),
        "I10-I1A"
    );
    assert_eq!(Icd10::get("C7A.00").unwrap().block().unwrap().code(), "C7A");
    assert_eq!(
        Icd10::get("Z3A.01").unwrap().block().unwrap().code(),
        "Z30-Z39"
    );
    assert!(
        Icd10::chapters()
            .iter()
            .all(|c| c.parent().is_none() && !c.children().is_empty())
    );
}

#[test]
fn every_code_has_a_category_block_and_chapter() {
    for chapter in Icd10::chapters() {
        for block in chapter.children() {
            assert_eq!(block.kind(), Icd10Kind::Block, "{block:?}");
        }
    }
    let stray = TABLE
        .codes
        .iter()
        .map(|&(_, idx)| Icd10Entry { idx })
        .filter(|e| {
            e.category().is_none()
                || e.block().is_none()
                || e.chapter().kind() != Icd10Kind::Chapter
        })
        .count();
    assert_eq!(stray, 0);
}

#[test]
fn code_parsing_checks_shape_then_existence() {
    let code = Icd10Code::parse("m5450").unwrap();
    assert_eq!(code.as_str(), "M54.50");
    assert!(code.is_billable());
    assert_eq!(code.description(), "Low back pain, unspecified");
    assert_eq!(
        "S52.521A".parse::<Icd10Code>().unwrap().to_string(),
        "S52.521A"
    );
    for bad in [
        "",
        "M5",
        "54.5",
        "M54.",
        "M5.45",
        "M54.12345",
        "M54 5",
        "low back",
    ] {
        assert_eq!(
            Icd10Code::parse(bad),
            Err(TermError::Icd10Format(bad.into())),
            "{bad}"
        );
    }
    assert_eq!(
        Icd10Code::parse("M54.55"),
        Err(TermError::Icd10Unknown("M54.55".into()))
    );
    // Blocks and chapters are not recordable codes.
    let b99 = Icd10Code::parse("B99").unwrap().entry();
    assert_eq!(
        (b99.kind(), b99.parent().unwrap().code()),
        (Icd10Kind::Category, "B99")
    );
    assert_eq!(codes(&b99.children()), ["B99.8", "B99.9"]);
    assert!(Icd10Code::parse("B20").unwrap().is_billable());
}

#[test]
fn descriptions_fall_back_to_english() {
    assert_eq!(Icd10::description("2", Lang::It), Some("Tumori (C00-D49)"));
    assert_eq!(
        Icd10::description("13", Lang::De).unwrap(),
        "Krankheiten des Muskel-Skelett-Systems und des Bindegewebes (M00-M99)"
    );
    assert_eq!(Icd10::description("M54.5", Lang::Fr), Some("Low back pain"));
    assert_eq!(
        Icd10::description("2", Lang::En),
        Some("Neoplasms (C00-D49)")
    );
    assert_eq!(Icd10::description("Q99.9.9", Lang::It), None);
}

#[test]
fn code_prefix_search_puts_the_exact_code_first() {
    assert_eq!(
        codes(&Icd10::search("M54.5", 10)),
        ["M54.5", "M54.50", "M54.51", "M54.59"]
    );
    assert_eq!(codes(&Icd10::search("m545", 2)), ["M54.5", "M54.50"]);
    let e11 = Icd10::search("e11", 3);
    assert_eq!(e11[0].code(), "E11");
    assert!(e11[1].is_billable() && e11[1].code().len() == 5, "{e11:?}");
    // Vitamin "b12" is code-shaped but matches words, not codes.
    let b12 = Icd10::search("b12", 5);
    assert!(
        b12.iter()
            .all(|e| e.description().to_lowercase().contains("b12")),
        "{b12:?}"
    );
}

#[test]
fn word_search_matches_word_prefixes_in_any_order_and_ranks() {
    let hits = Icd10::search("low back pain", 5);
    assert_eq!(hits[0].code(), "M54.50", "{hits:?}");
    assert!(codes(&hits).contains(&"M54.59"));
    let diab = Icd10::search("diab type 2", 10);
    assert!(!diab.is_empty());
    assert!(
        diab.iter().all(|e| e.description().contains("diabet")),
        "{diab:?}"
    );
    assert!(diab.iter().all(Icd10Entry::is_billable));
    assert!(codes(&diab).contains(&"E11.9"), "{diab:?}");
    // Case and accents do not matter, on either side.
    assert_eq!(
        Icd10::search("SEZARY", 1)[0].description(),
        Icd10::search("sézary", 1)[0].description()
    );
    assert!(
        Icd10::search("charcot arthropathy", 5)
            .iter()
            .any(|e| e.code() == "A52.16")
    );
    // Whole-word matches beat prefix-only matches.
    assert_eq!(Icd10::search("covid 19", 1)[0].code(), "U07.1");
}

#[test]
fn search_handles_empty_unknown_and_limits() {
    assert!(Icd10::search("", 10).is_empty());
    assert!(Icd10::search("  ,. ", 10).is_empty());
    assert!(Icd10::search("pain", 0).is_empty());
    assert!(Icd10::search("xyzzyq pain", 10).is_empty());
    assert_eq!(Icd10::search("a", 25).len(), 25);
    let all = Icd10::search("fracture", 100_000);
    assert!(all.len() > 10_000, "{}", all.len());
}
