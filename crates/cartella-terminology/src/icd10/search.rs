//! ICD-10-CM search: by code prefix when the query is shaped like a code (`M54.5`, `m545`), and
//! by words otherwise (each query word must be the prefix of some word of the description, case
//! and accent-insensitive), ranked most useful first.

use super::index::{Term, WordIndex};
use super::table::{Table, normalise_code, prefix_range};
use crate::text::words;

/// Whether the query reads as (the start of) a code: a letter, a digit, then letters/digits, with
/// an optional dot; at most 7 characters without the dot.
pub(crate) fn looks_like_code(query: &str) -> bool {
    let norm = normalise_code(query);
    let b = norm.as_bytes();
    (2..=7).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[1].is_ascii_digit()
        && b.iter().all(u8::is_ascii_alphanumeric)
        && query.trim().matches('.').count() <= 1
}

/// Row ids of the best `limit` matches: code-prefix matches first (when the query is
/// code-shaped), then word matches. Vitamin `b12` is both a code prefix and a word.
pub(crate) fn search(table: &Table, index: &WordIndex, query: &str, limit: usize) -> Vec<u32> {
    if limit == 0 || query.trim().is_empty() {
        return Vec::new();
    }
    let mut found = if looks_like_code(query) {
        by_code(table, query, limit)
    } else {
        Vec::new()
    };
    if found.len() < limit {
        for row in by_words(table, index, query, limit) {
            if found.len() == limit {
                break;
            }
            if !found.contains(&row) {
                found.push(row);
            }
        }
    }
    found
}

/// Codes starting with the query: the exact code first, then billable codes, then nearer in the
/// hierarchy (shorter codes), then code order.
fn by_code(table: &Table, query: &str, limit: usize) -> Vec<u32> {
    let norm = normalise_code(query);
    let Some((lo, hi)) = prefix_range(&norm) else {
        return Vec::new();
    };
    let from = table.codes.partition_point(|&(k, _)| k < lo);
    let to = table.codes.partition_point(|&(k, _)| k <= hi);
    let mut hits: Vec<((bool, bool, usize, u64), u32)> = table.codes[from..to]
        .iter()
        .map(|&(key, row)| {
            let r = &table.rows[row as usize];
            ((key != lo, !r.billable, r.code.len(), key), row)
        })
        .collect();
    top(&mut hits, limit)
}

/// Rows where every query word prefixes some description word. Ranked by: query words found as
/// whole words (more first), billable, description starting with the first query word, shorter
/// description, code order.
fn by_words(table: &Table, index: &WordIndex, query: &str, limit: usize) -> Vec<u32> {
    let mut query_words = words(query);
    query_words.sort();
    query_words.dedup();
    let mut terms: Vec<Term> = Vec::with_capacity(query_words.len());
    for word in &query_words {
        match index.term(word) {
            Some(term) => terms.push(term),
            None => return Vec::new(),
        }
    }
    let Some((pivot, _)) = terms
        .iter()
        .enumerate()
        .min_by_key(|(_, t)| index.cost(**t))
    else {
        return Vec::new();
    };
    let first_word = words(query).into_iter().next().unwrap_or_default();
    // A bitset over rows turns the union of the pivot's postings into a sorted walk without a sort.
    let mut seen = vec![0u64; table.rows.len().div_ceil(64)];
    index.mark_rows(terms[pivot], &mut seen);
    let mut hits = Vec::new();
    for (block, &bits) in seen.iter().enumerate() {
        let mut bits = bits;
        while bits != 0 {
            let row = (block * 64) as u32 + bits.trailing_zeros();
            bits &= bits - 1;
            if !terms
                .iter()
                .enumerate()
                .all(|(i, &t)| i == pivot || index.row_has(row, t))
            {
                continue;
            }
            let whole = terms
                .iter()
                .filter(|&&t| index.row_has_exact(row, t))
                .count();
            let r = &table.rows[row as usize];
            let key = (
                terms.len() - whole,
                !r.billable,
                !starts_with_word(r.description, &first_word),
                r.description.len(),
                row,
            );
            hits.push((key, row));
        }
    }
    top(&mut hits, limit)
}

/// Whether the description's first word starts with `prefix` (folded, ASCII).
fn starts_with_word(description: &str, prefix: &str) -> bool {
    let head = description.as_bytes();
    head.len() >= prefix.len() && head[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// The `limit` smallest keys, sorted, without sorting everything.
fn top<K: Ord + Copy>(hits: &mut Vec<(K, u32)>, limit: usize) -> Vec<u32> {
    if hits.len() > limit {
        hits.select_nth_unstable(limit - 1);
        hits.truncate(limit);
    }
    hits.sort_unstable();
    hits.iter().map(|&(_, row)| row).collect()
}
