//! Prints the first-use cost of the drug tables and the latency of a prescribing check.
//!
//! `cargo run -p cartella-terminology --release --example drug_check_timings`

use std::time::Instant;

use cartella_terminology::{Rules, check_prescription};

fn main() {
    let started = Instant::now();
    let (classes, drugs, cross, interactions) = Rules::builtin().sizes();
    println!(
        "drug tables: {classes} classes, {drugs} drugs, {cross} cross-reactivity and {interactions} interaction rules; parse {:.2} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let allergies = ["Penicillin", "ibuprofène", "lattosio"];
    let meds = [
        "Warfarin 5 mg",
        "ramipril 10 mg",
        "sertraline",
        "metformin",
        "paracetamol 1 g",
        "atorvastatin",
    ];
    let rounds = 2_000;
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        std::hint::black_box(check_prescription(
            "Claritromicina 500 mg",
            &allergies,
            &meds,
        ));
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "check_prescription (3 allergies, 6 active meds): p50 {:.1} us, p95 {:.1} us",
        times[rounds / 2].as_secs_f64() * 1e6,
        times[rounds * 95 / 100].as_secs_f64() * 1e6
    );
    for alert in check_prescription("Claritromicina 500 mg", &allergies, &meds) {
        println!(
            "  {:?} {:?} ({}): {}",
            alert.severity, alert.kind, alert.trigger, alert.message.en
        );
    }
}
