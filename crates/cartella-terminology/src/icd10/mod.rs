//! ICD-10-CM (April 2026 release, CMS/NCHS, public domain), embedded in the binary: lookup by
//! code, the chapter/block/category hierarchy, and search by code prefix or words. The table is
//! decompressed on first use and the word index built on first search; call
//! [`Icd10::warm_up`] at startup to keep both off the request path.

mod code;
mod i18n;
mod index;
mod search;
mod table;

use std::sync::LazyLock;
use std::time::{Duration, Instant};

pub use code::Icd10Code;
pub use table::Icd10Kind;

use crate::text::Lang;
use index::WordIndex;
use table::{NONE, Table};

static TABLE: LazyLock<Table> = LazyLock::new(Table::load);
static INDEX: LazyLock<WordIndex> = LazyLock::new(|| WordIndex::build(&TABLE));

/// Entry point to the shipped ICD-10-CM release.
pub struct Icd10;

/// Counts and first-use timings of the ICD-10-CM table, for benchmarks and diagnostics.
#[derive(Debug, Clone)]
pub struct Icd10Stats {
    pub rows: usize,
    pub codes: usize,
    pub billable: usize,
    pub vocabulary: usize,
    pub postings: usize,
    /// Time to decompress and parse the table (zero when it was already loaded).
    pub load: Duration,
    /// Time to build the word index (zero when it was already built).
    pub index: Duration,
}

impl Icd10 {
    /// The release shipped, for notices and `CodeSystem.version`.
    pub const VERSION: &'static str = "2026 (April 1, 2026 tabular list)";
    /// The FHIR code system URI of ICD-10-CM.
    pub const SYSTEM: &'static str = "http://hl7.org/fhir/sid/icd-10-cm";

    /// Loads the table and builds the search index now; returns sizes and how long each step took.
    pub fn warm_up() -> Icd10Stats {
        let started = Instant::now();
        let table = &*TABLE;
        let load = started.elapsed();
        let started = Instant::now();
        let index = &*INDEX;
        let index_time = started.elapsed();
        let (vocabulary, postings) = index.sizes();
        Icd10Stats {
            rows: table.rows.len(),
            codes: table.codes.len(),
            billable: table.rows.iter().filter(|r| r.billable).count(),
            vocabulary,
            postings,
            load,
            index: index_time,
        }
    }

    /// A code of any kind by any spelling: categories and subcategories (`M54.5`, `m545`),
    /// blocks by range (`M50-M54`) and chapters by number (`13`).
    pub fn get(code: &str) -> Option<Icd10Entry> {
        TABLE
            .find(code)
            .or_else(|| TABLE.find_group(code))
            .map(|idx| Icd10Entry { idx })
    }

    /// Up to `limit` categories and subcategories matching `query`, best first: by code prefix
    /// when the query looks like a code (`M54.5`, `m545`), and by words (`low back pain`,
    /// `diab type 2`) where every query word starts some word of the description.
    pub fn search(query: &str, limit: usize) -> Vec<Icd10Entry> {
        search::search(&TABLE, &INDEX, query, limit)
            .into_iter()
            .map(|idx| Icd10Entry { idx })
            .collect()
    }

    /// The 22 chapters, in order.
    pub fn chapters() -> Vec<Icd10Entry> {
        TABLE
            .chapters
            .iter()
            .map(|&idx| Icd10Entry { idx })
            .collect()
    }

    /// The description of `code` in `lang`, falling back to English where no translation ships.
    pub fn description(code: &str, lang: Lang) -> Option<&'static str> {
        Icd10::get(code).map(|e| e.description_in(lang))
    }
}

/// One row of the classification (chapter, block, category or subcategory).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Icd10Entry {
    idx: u32,
}

impl Icd10Entry {
    fn row(&self) -> &'static table::Row {
        &TABLE.rows[self.idx as usize]
    }

    fn at(idx: u32) -> Option<Icd10Entry> {
        (idx != NONE).then_some(Icd10Entry { idx })
    }

    /// The code as printed in the classification (`M54.50`, `M50-M54`, `13`).
    pub fn code(&self) -> &'static str {
        self.row().code
    }

    pub fn kind(&self) -> Icd10Kind {
        self.row().kind
    }

    /// Whether the code may be recorded on a claim (a leaf of the classification).
    pub fn is_billable(&self) -> bool {
        self.row().billable
    }

    /// The English description.
    pub fn description(&self) -> &'static str {
        self.row().description
    }

    /// The description in `lang`, English where no translation ships (today: chapter titles in
    /// Italian, French and German).
    pub fn description_in(&self, lang: Lang) -> &'static str {
        let row = self.row();
        match row.kind {
            Icd10Kind::Chapter => i18n::chapter_title(row.code, lang),
            _ => None,
        }
        .unwrap_or(row.description)
    }

    pub fn parent(&self) -> Option<Icd10Entry> {
        Icd10Entry::at(self.row().parent)
    }

    /// The ancestors, nearest first, ending with the chapter.
    pub fn ancestors(&self) -> Vec<Icd10Entry> {
        std::iter::successors(self.parent(), Icd10Entry::parent).collect()
    }

    pub fn chapter(&self) -> Icd10Entry {
        self.ancestors().last().copied().unwrap_or(*self)
    }

    /// The innermost block holding this code (itself if it is a block); `None` for a chapter.
    pub fn block(&self) -> Option<Icd10Entry> {
        std::iter::once(*self)
            .chain(self.ancestors())
            .find(|e| e.kind() == Icd10Kind::Block)
    }

    /// The three-character category of a category or subcategory (itself for a category).
    pub fn category(&self) -> Option<Icd10Entry> {
        std::iter::once(*self)
            .chain(self.ancestors())
            .find(|e| e.kind() == Icd10Kind::Category)
    }

    /// The direct children, in classification order.
    pub fn children(&self) -> Vec<Icd10Entry> {
        let row = self.row();
        (self.idx + 1..row.end)
            .filter(|&i| TABLE.rows[i as usize].parent == self.idx)
            .map(|idx| Icd10Entry { idx })
            .collect()
    }
}

impl std::fmt::Debug for Icd10Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code(), self.description())
    }
}

#[cfg(test)]
mod tests;
