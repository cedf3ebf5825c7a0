//! The word index behind ICD-10-CM search by words: a sorted vocabulary of the folded words of
//! every category and subcategory description, with postings (word → rows) and forward lists
//! (row → words). Because the vocabulary is sorted, the words starting with a query prefix are
//! one contiguous id range, so "some word of this row starts with `diab`" is one binary search
//! in the row's sorted word ids.

use std::collections::HashMap;

use super::table::{Icd10Kind, Table};
use crate::text::words;

/// Compressed sparse rows: list `i` is `items[offsets[i]..offsets[i + 1]]`.
struct Lists {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    fn get(&self, i: usize) -> &[u32] {
        &self.items[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

pub(crate) struct WordIndex {
    /// Folded words, sorted.
    vocab: Vec<Box<str>>,
    /// Word id → table rows whose description holds that word (ascending).
    postings: Lists,
    /// Table row → word ids of its description (ascending, deduplicated); empty for chapters and blocks.
    forward: Lists,
}

/// A query word resolved against the vocabulary.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Term {
    /// Word ids starting with the query word: `lo..hi`.
    pub lo: u32,
    pub hi: u32,
    /// The id of the word equal to the query word, when there is one.
    pub exact: Option<u32>,
}

impl WordIndex {
    pub(crate) fn build(table: &Table) -> WordIndex {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut row_words: Vec<Vec<u32>> = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            let mut list = Vec::new();
            if matches!(row.kind, Icd10Kind::Category | Icd10Kind::Subcategory) {
                for word in words(row.description) {
                    let next = ids.len() as u32;
                    list.push(*ids.entry(word).or_insert(next));
                }
            }
            row_words.push(list);
        }
        // Renumber the words in sorted order so prefixes become id ranges.
        let mut vocab: Vec<(String, u32)> = ids.into_iter().collect();
        vocab.sort_unstable();
        let mut remap = vec![0u32; vocab.len()];
        for (new, (_, old)) in vocab.iter().enumerate() {
            remap[*old as usize] = new as u32;
        }
        let mut forward = Lists {
            offsets: vec![0],
            items: Vec::new(),
        };
        let mut counts = vec![0u32; vocab.len()];
        for list in &mut row_words {
            for id in list.iter_mut() {
                *id = remap[*id as usize];
            }
            list.sort_unstable();
            list.dedup();
            for &id in list.iter() {
                counts[id as usize] += 1;
            }
            forward.items.extend_from_slice(list);
            forward.offsets.push(forward.items.len() as u32);
        }
        let mut offsets = Vec::with_capacity(vocab.len() + 1);
        let mut total = 0u32;
        offsets.push(0);
        for c in &counts {
            total += c;
            offsets.push(total);
        }
        // Fill postings by walking rows in order, so each posting list comes out ascending.
        let mut items = vec![0u32; total as usize];
        let mut fill: Vec<u32> = offsets[..vocab.len()].to_vec();
        for (row, list) in row_words.iter().enumerate() {
            for &id in list {
                items[fill[id as usize] as usize] = row as u32;
                fill[id as usize] += 1;
            }
        }
        WordIndex {
            vocab: vocab.into_iter().map(|(w, _)| w.into_boxed_str()).collect(),
            postings: Lists { offsets, items },
            forward,
        }
    }

    /// The vocabulary range of words starting with `prefix` (already folded); `None` when no
    /// word starts with it, which means no row can match the query.
    pub(crate) fn term(&self, prefix: &str) -> Option<Term> {
        let lo = self.vocab.partition_point(|w| &**w < prefix);
        let hi = lo + self.vocab[lo..].partition_point(|w| w.starts_with(prefix));
        if lo == hi {
            return None;
        }
        let exact = (&*self.vocab[lo] == prefix).then_some(lo as u32);
        Some(Term {
            lo: lo as u32,
            hi: hi as u32,
            exact,
        })
    }

    /// How many postings a term spans: the cost of enumerating its rows, used to start from
    /// the most selective query word.
    pub(crate) fn cost(&self, term: Term) -> u32 {
        self.postings.offsets[term.hi as usize] - self.postings.offsets[term.lo as usize]
    }

    /// Marks in `seen` (a bitset over rows) every row holding a word of `term`.
    pub(crate) fn mark_rows(&self, term: Term, seen: &mut [u64]) {
        let from = self.postings.offsets[term.lo as usize] as usize;
        let to = self.postings.offsets[term.hi as usize] as usize;
        for &row in &self.postings.items[from..to] {
            seen[row as usize / 64] |= 1 << (row % 64);
        }
    }

    /// Whether some word of `row` starts with the term's prefix.
    pub(crate) fn row_has(&self, row: u32, term: Term) -> bool {
        let list = self.forward.get(row as usize);
        let at = list.partition_point(|&id| id < term.lo);
        list.get(at).is_some_and(|&id| id < term.hi)
    }

    /// Whether `row` holds the term as a whole word.
    pub(crate) fn row_has_exact(&self, row: u32, term: Term) -> bool {
        term.exact
            .is_some_and(|id| self.forward.get(row as usize).binary_search(&id).is_ok())
    }

    /// Sizes for the timing report: (vocabulary words, postings).
    pub(crate) fn sizes(&self) -> (usize, usize) {
        (self.vocab.len(), self.postings.items.len())
    }
}
