//! The ICD-10-CM table: the embedded gzip'd TSV decompressed once, one row per chapter, block,
//! category and subcategory, with parent links and subtree ends rebuilt from the file's
//! pre-order (chapter, its blocks, their categories, their subcategories).

use std::io::Read;

/// The ICD-10-CM April 2026 tabular list (CMS/NCHS, public domain): `code kind billable description`.
const DATA_GZ: &[u8] = include_bytes!("../../data/icd10cm-2026.tsv.gz");

/// Sentinel for "no parent" in [`Row::parent`].
pub(crate) const NONE: u32 = u32::MAX;

/// Where a row sits in the classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Icd10Kind {
    /// One of the 22 chapters; its code is the chapter number (`"13"`).
    Chapter,
    /// A block (section) of categories, coded by its range (`"M50-M54"`); blocks may nest.
    Block,
    /// A three-character category (`"M54"`).
    Category,
    /// A code below a category (`"M54.5"`, `"S52.521A"`).
    Subcategory,
}

pub(crate) struct Row {
    pub code: &'static str,
    pub description: &'static str,
    pub kind: Icd10Kind,
    pub billable: bool,
    pub parent: u32,
    /// One past the last row of this row's subtree: the descendants are `self+1..end`.
    pub end: u32,
}

pub(crate) struct Table {
    pub rows: Vec<Row>,
    /// `(packed normalised code, row)` of every category and subcategory, sorted by code, so an
    /// exact code and a code prefix are both a binary search.
    pub codes: Vec<(u64, u32)>,
    /// Rows of the chapters, in order.
    pub chapters: Vec<u32>,
}

/// Packs a normalised code (upper case, no dot, at most 8 bytes) big-endian into a `u64`, so that
/// integer order is the codes' lexicographic order and a prefix is a contiguous range.
pub(crate) fn pack(normalised: &str) -> Option<u64> {
    let bytes = normalised.as_bytes();
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    let mut key = [0u8; 8];
    key[..bytes.len()].copy_from_slice(bytes);
    Some(u64::from_be_bytes(key))
}

/// The range of packed keys that start with `prefix` (normalised, at most 8 bytes).
pub(crate) fn prefix_range(prefix: &str) -> Option<(u64, u64)> {
    let lo = pack(prefix)?;
    let free_bits = 8 * (8 - prefix.len() as u32);
    let hi = if free_bits == 64 {
        u64::MAX
    } else {
        lo | ((1u64 << free_bits) - 1)
    };
    Some((lo, hi))
}

/// Upper-cases and drops the dot and surrounding space: `" m54.5 "` → `"M545"`.
pub(crate) fn normalise_code(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|c| *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The inclusive category range of a block code: `"M50-M54"` → `("M50", "M54")`, `"B99"` → `("B99", "B99")`.
fn block_range(code: &str) -> (&str, &str) {
    code.split_once('-').unwrap_or((code, code))
}

impl Table {
    pub(crate) fn load() -> Table {
        let mut text = String::with_capacity(DATA_GZ.len() * 14);
        flate2::read::GzDecoder::new(DATA_GZ)
            .read_to_string(&mut text)
            .expect("the embedded ICD-10-CM table is valid gzip'd UTF-8");
        // The table lives for the whole process behind a `LazyLock`; leaking its text lets rows
        // borrow `&'static str` instead of carrying offsets everywhere.
        Table::parse(String::leak(text))
    }

    fn parse(text: &'static str) -> Table {
        let mut rows: Vec<Row> = Vec::with_capacity(100_000);
        let mut stack: Vec<u32> = Vec::new();
        for line in text.lines().skip(1) {
            let mut fields = line.splitn(4, '\t');
            let (Some(code), Some(kind), Some(billable), Some(description)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                panic!("malformed ICD-10-CM row: {line}");
            };
            let mut kind = match kind {
                "chapter" => Icd10Kind::Chapter,
                "block" => Icd10Kind::Block,
                "category" => Icd10Kind::Category,
                "subcategory" => Icd10Kind::Subcategory,
                other => panic!("unknown ICD-10-CM row kind {other}"),
            };
            // A block of one category (e.g. `B99`) comes as two `block` rows with the same code:
            // the second one is that category, which has no row of its own.
            if kind == Icd10Kind::Block
                && rows
                    .last()
                    .is_some_and(|r| r.kind == Icd10Kind::Block && r.code == code)
            {
                kind = Icd10Kind::Category;
            }
            let idx = rows.len() as u32;
            close_until_parent(&mut rows, &mut stack, kind, code, idx);
            let parent = stack.last().copied().unwrap_or(NONE);
            // The source flags some blocks billable (e.g. `C00-C96`); only codes can be billed.
            let billable =
                billable == "Y" && matches!(kind, Icd10Kind::Category | Icd10Kind::Subcategory);
            rows.push(Row {
                code,
                description,
                kind,
                billable,
                parent,
                end: idx + 1,
            });
            stack.push(idx);
        }
        let len = rows.len() as u32;
        for top in stack {
            rows[top as usize].end = len;
        }
        let mut codes: Vec<(u64, u32)> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r.kind, Icd10Kind::Category | Icd10Kind::Subcategory))
            .map(|(i, r)| {
                (
                    pack(&normalise_code(r.code)).expect("ICD-10-CM codes fit 8 bytes"),
                    i as u32,
                )
            })
            .collect();
        codes.sort_unstable();
        let chapters = (0..len)
            .filter(|&i| rows[i as usize].kind == Icd10Kind::Chapter)
            .collect();
        Table {
            rows,
            codes,
            chapters,
        }
    }

    /// The row of a category or subcategory, by any spelling of its code (`m545`, `M54.5`).
    pub(crate) fn find(&self, code: &str) -> Option<u32> {
        let key = pack(&normalise_code(code))?;
        let at = self.codes.binary_search_by_key(&key, |&(k, _)| k).ok()?;
        Some(self.codes[at].1)
    }

    /// The row of a block by its range code (`"M50-M54"`) or of a chapter by number (`"13"`).
    pub(crate) fn find_group(&self, code: &str) -> Option<u32> {
        let code = code.trim();
        if let Ok(n) = code.parse::<usize>() {
            return self.chapters.get(n.checked_sub(1)?).copied();
        }
        let upper = code.to_ascii_uppercase();
        self.rows
            .iter()
            .position(|r| r.kind == Icd10Kind::Block && r.code == upper)
            .map(|i| i as u32)
    }
}

/// Pops the pre-order stack down to the parent of a new row, closing the subtrees it leaves.
fn close_until_parent(
    rows: &mut [Row],
    stack: &mut Vec<u32>,
    kind: Icd10Kind,
    code: &str,
    idx: u32,
) {
    // A category always follows its block in the file, but block ranges do not always order
    // letter-suffixed categories the way the tabular list does (`Z3A` belongs to `Z30-Z39`): so
    // a category takes the innermost open block whose range contains it, else the innermost.
    let keep = if kind == Icd10Kind::Category {
        let blocks = stack.iter().rposition(|&i| {
            rows[i as usize].kind != Icd10Kind::Category
                && rows[i as usize].kind != Icd10Kind::Subcategory
        });
        blocks.map(|top| {
            (0..=top)
                .rev()
                .find(|&p| {
                    let outer = &rows[stack[p] as usize];
                    outer.kind == Icd10Kind::Block && contains(outer, kind, code)
                })
                .unwrap_or(top)
                + 1
        })
    } else {
        stack
            .iter()
            .rposition(|&i| contains(&rows[i as usize], kind, code))
            .map(|p| p + 1)
    }
    .unwrap_or(0);
    for closed in stack.drain(keep..) {
        rows[closed as usize].end = idx;
    }
}

/// Whether the open row `outer` (on the pre-order stack) contains a new row of `kind` and `code`.
fn contains(outer: &Row, kind: Icd10Kind, code: &str) -> bool {
    match (outer.kind, kind) {
        (_, Icd10Kind::Chapter) => false,
        (Icd10Kind::Chapter, _) => true,
        (Icd10Kind::Block, Icd10Kind::Block) => {
            let ((lo, hi), (new_lo, new_hi)) = (block_range(outer.code), block_range(code));
            new_lo >= lo && new_hi <= hi
        }
        (Icd10Kind::Block, Icd10Kind::Category | Icd10Kind::Subcategory) => {
            let (lo, hi) = block_range(outer.code);
            let category = code.get(..3).unwrap_or(code);
            category >= lo && category <= hi
        }
        (Icd10Kind::Category | Icd10Kind::Subcategory, Icd10Kind::Subcategory) => {
            // Codes keep the dot after the third character, so the raw spellings nest as prefixes.
            code.len() > outer.code.len() && code.starts_with(outer.code)
        }
        (Icd10Kind::Category | Icd10Kind::Subcategory, _) => false,
    }
}
