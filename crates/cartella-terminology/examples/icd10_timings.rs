//! Prints the first-use cost of the ICD-10-CM table (decompress + parse, word index build) and
//! search latency percentiles over a mix of code and word queries.
//!
//! `cargo run -p cartella-terminology --release --example icd10_timings`

use std::time::{Duration, Instant};

use cartella_terminology::Icd10;

const QUERIES: &[&str] = &[
    "M54.5",
    "m545",
    "e11",
    "I10",
    "S52.521A",
    "b12",
    "low back pain",
    "diab type 2",
    "diabetes",
    "hypertension",
    "fracture femur",
    "covid",
    "pneumonia",
    "asthma",
    "a",
    "d",
    "s",
    "pain",
    "fracture",
    "malignant neoplasm",
    "sézary",
    "otitis media acute",
    "migraine without aura",
    "injury",
    "xyzzy",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let stats = Icd10::warm_up();
    println!(
        "table: {} rows, {} codes ({} billable); decompress+parse {:.1} ms",
        stats.rows,
        stats.codes,
        stats.billable,
        stats.load.as_secs_f64() * 1e3
    );
    println!(
        "word index: {} words, {} postings; build {:.1} ms",
        stats.vocabulary,
        stats.postings,
        stats.index.as_secs_f64() * 1e3
    );
    let rounds = 40;
    let mut all = Vec::new();
    let mut worst: (Duration, &str) = (Duration::ZERO, "");
    let mut slowest_queries = Vec::new();
    for query in QUERIES {
        let mut these = Vec::new();
        for _ in 0..rounds {
            let started = Instant::now();
            let hits = Icd10::search(query, 20);
            let took = started.elapsed();
            std::hint::black_box(hits);
            these.push(took);
        }
        these.sort();
        slowest_queries.push((percentile(&these, 0.5), *query));
        if these[these.len() - 1] > worst.0 {
            worst = (these[these.len() - 1], query);
        }
        all.extend(these);
    }
    slowest_queries.sort();
    let slowest: Vec<String> = slowest_queries
        .iter()
        .rev()
        .take(5)
        .map(|(t, q)| format!("`{q}` {:.2} ms", t.as_secs_f64() * 1e3))
        .collect();
    println!("slowest queries (median): {}", slowest.join(", "));
    all.sort();
    println!(
        "search (limit 20, {} queries x {rounds}): p50 {:.3} ms, p95 {:.3} ms, max {:.3} ms (`{}`)",
        QUERIES.len(),
        percentile(&all, 0.50).as_secs_f64() * 1e3,
        percentile(&all, 0.95).as_secs_f64() * 1e3,
        worst.0.as_secs_f64() * 1e3,
        worst.1
    );
    for query in ["low back pain", "diab type 2", "M54.5"] {
        println!("\n{query}:");
        for hit in Icd10::search(query, 5) {
            println!(
                "  {:<9} {}{}",
                hit.code(),
                hit.description(),
                if hit.is_billable() {
                    ""
                } else {
                    "  (not billable)"
                }
            );
        }
    }
}
