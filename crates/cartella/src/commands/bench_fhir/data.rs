//! Synthetic clinical data, deterministic from a seed: patients with Italian, French, German or
//! English names, a few encounters each and vital-sign Observations (4 LOINC codes, dates spread
//! over 2019–2024), and the transaction bundles that carry them.
//!
//! Every patient draws from its own stream (seed, index), so patient 7 is the same whatever the
//! batch size, the concurrency or the order in which loaders pick patients up.

use serde_json::{Value, json};

/// SplitMix64: tiny, fast, statistically fine for test data, and needs no dependency.
pub struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// Stream `i` of kind `tag` under `seed`: independent of every other (tag, i).
    pub fn stream(seed: u64, tag: u64, i: u64) -> Self {
        Rng(mix(seed ^ mix(tag ^ mix(i))))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    /// Uniform in `0..n` (multiply-shift, no modulo bias worth speaking of).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// A version-4-shaped UUID for `urn:uuid:` full URLs.
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFF,
            b >> 48,
            b & 0xFFFF_FFFF_FFFF
        )
    }
}

const PATIENT_STREAM: u64 = 1;
pub const TASK_STREAM: u64 = 2;

struct Language {
    code: &'static str,
    country: &'static str,
    family: &'static [&'static str],
    male: &'static [&'static str],
    female: &'static [&'static str],
    cities: &'static [&'static str],
}

#[rustfmt::skip]
const LANGUAGES: [Language; 4] = [
    Language {
        code: "it",
        country: "IT",
        family: &["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo"],
        male: &["Marco", "Luca", "Giuseppe", "Alessandro", "Matteo", "Giovanni", "Francesco", "Andrea"],
        female: &["Giulia", "Francesca", "Chiara", "Sofia", "Maria", "Elena", "Alessia", "Martina"],
        cities: &["Roma", "Milano", "Torino", "Bologna", "Firenze"],
    },
    Language {
        code: "fr",
        country: "FR",
        family: &["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"],
        male: &["Jean", "Pierre", "Louis", "Nicolas", "Julien", "Antoine", "Hugo", "Lucas"],
        female: &["Marie", "Camille", "Léa", "Chloé", "Manon", "Inès", "Juliette", "Claire"],
        cities: &["Paris", "Lyon", "Marseille", "Nice", "Genève"],
    },
    Language {
        code: "de",
        country: "DE",
        family: &["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz"],
        male: &["Lukas", "Jonas", "Maximilian", "Felix", "Stefan", "Thomas", "Michael", "Paul"],
        female: &["Anna", "Lena", "Sophie", "Laura", "Katharina", "Julia", "Hannah", "Sabine"],
        cities: &["Berlin", "München", "Hamburg", "Zürich", "Bozen"],
    },
    Language {
        code: "en",
        country: "GB",
        family: &["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Evans", "Walker"],
        male: &["James", "Oliver", "George", "Harry", "William", "Jack", "Thomas", "Daniel"],
        female: &["Olivia", "Emily", "Amelia", "Isla", "Jessica", "Charlotte", "Grace", "Emma"],
        cities: &["London", "Manchester", "Leeds", "Bristol", "Edinburgh"],
    },
];

/// A vital sign: its LOINC code and UCUM unit, the range a person's usual value lies in, and how
/// far single measurements stray from it.
pub struct Vital {
    pub code: &'static str,
    display: &'static str,
    unit: &'static str,
    usual: (f64, f64),
    spread: f64,
    decimals: bool,
}

#[rustfmt::skip]
pub const VITALS: [Vital; 4] = [
    Vital { code: "8867-4", display: "Heart rate", unit: "/min", usual: (58.0, 85.0), spread: 8.0, decimals: false },
    Vital { code: "8310-5", display: "Body temperature", unit: "Cel", usual: (36.3, 37.0), spread: 0.5, decimals: true },
    Vital { code: "8480-6", display: "Systolic blood pressure", unit: "mm[Hg]", usual: (105.0, 150.0), spread: 10.0, decimals: false },
    Vital { code: "29463-7", display: "Body weight", unit: "kg", usual: (50.0, 105.0), spread: 2.0, decimals: true },
];

/// The code the search workload asks for, and its date floor.
pub const SEARCH_CODE: &str = "8867-4";
pub const SEARCH_FROM: &str = "2021-01-01";

/// (year, month, day) of a day counted from 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Days from 1970-01-01 to 2019-01-01 and to 2025-01-01: the clinical data's span.
const CLINICAL_DAYS: (i64, i64) = (17_897, 20_089);

fn date(rng: &mut Rng, from: i64, to: i64) -> String {
    let (y, m, d) = civil(from + rng.below((to - from) as usize) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// An instant in 2019–2024 during opening hours, plus `minutes` later (for periods).
fn instants(rng: &mut Rng, minutes: usize) -> (String, String) {
    let day = date(rng, CLINICAL_DAYS.0, CLINICAL_DAYS.1);
    let start = 7 * 60 + rng.below(12 * 60);
    let end = start + minutes;
    let t = |m: usize| format!("{day}T{:02}:{:02}:00Z", m / 60, m % 60);
    (t(start), t(end))
}

/// A vital-sign Observation of `subject` around `usual`.
pub fn observation(rng: &mut Rng, subject: &str, vital: &Vital, usual: f64) -> Value {
    let raw = usual + rng.range(-vital.spread, vital.spread);
    let value = if vital.decimals {
        json!((raw * 10.0).round() / 10.0)
    } else {
        json!(raw.round() as i64)
    };
    json!({
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "vital-signs", "display": "Vital Signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": vital.code, "display": vital.display}],
                 "text": vital.display},
        "subject": {"reference": subject},
        "effectiveDateTime": instants(rng, 0).0,
        "valueQuantity": {"value": value, "unit": vital.unit,
                          "system": "http://unitsofmeasure.org", "code": vital.unit}
    })
}

/// An Observation with a random vital sign and value, for the create and import workloads.
pub fn random_observation(rng: &mut Rng, subject: &str) -> Value {
    let vital = rng.pick(&VITALS);
    let usual = rng.range(vital.usual.0, vital.usual.1);
    observation(rng, subject, vital, usual)
}

/// One resource of a transaction, with the `urn:uuid:` it is known by inside the bundle.
pub struct Entry {
    pub uuid: String,
    pub resource: Value,
}

/// A patient and everything that refers to it: encounters, then observations, whose `subject`
/// is `urn:uuid:<patient uuid>` until the loader replaces it with the server's id.
pub struct Record {
    pub patient: Entry,
    pub others: Vec<Entry>,
}

/// Resources in patient `index`'s record, without generating it (the first draw of its stream is
/// its encounter count), so loaders can pack bundles before they build them.
pub fn record_len(seed: u64, index: usize, observations: usize) -> usize {
    1 + encounter_count(&mut Rng::stream(seed, PATIENT_STREAM, index as u64)) + observations
}

fn encounter_count(rng: &mut Rng) -> usize {
    1 + rng.below(3)
}

impl Record {
    pub fn generate(seed: u64, index: usize, observations: usize) -> Record {
        let mut rng = Rng::stream(seed, PATIENT_STREAM, index as u64);
        let encounters = encounter_count(&mut rng);
        let lang = rng.pick(&LANGUAGES);
        let female = rng.below(2) == 0;
        let given = rng.pick(if female { lang.female } else { lang.male });
        let patient = Entry {
            uuid: rng.uuid(),
            resource: json!({
                "resourceType": "Patient",
                "identifier": [{"system": "urn:cartella:bench:mrn", "value": format!("B{seed}-{index:07}")}],
                "active": true,
                "name": [{"use": "official", "family": rng.pick(lang.family), "given": [given]}],
                "gender": if female { "female" } else { "male" },
                "birthDate": date(&mut rng, -14_610, 16_436),
                "address": [{"city": rng.pick(lang.cities), "country": lang.country}],
                "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": lang.code}]}}]
            }),
        };
        let subject = format!("urn:uuid:{}", patient.uuid);
        let mut others = Vec::with_capacity(encounters + observations);
        for _ in 0..encounters {
            let minutes = 15 + rng.below(46);
            let (start, end) = instants(&mut rng, minutes);
            let resource = json!({
                "resourceType": "Encounter",
                "status": "finished",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                          "code": "AMB", "display": "ambulatory"},
                "subject": {"reference": subject},
                "period": {"start": start, "end": end}
            });
            others.push(Entry {
                uuid: rng.uuid(),
                resource,
            });
        }
        // The person's usual values, so their series look like one person's.
        let usual: Vec<f64> = VITALS
            .iter()
            .map(|v| rng.range(v.usual.0, v.usual.1))
            .collect();
        for k in 0..observations {
            let resource = observation(&mut rng, &subject, &VITALS[k % 4], usual[k % 4]);
            others.push(Entry {
                uuid: rng.uuid(),
                resource,
            });
        }
        Record { patient, others }
    }

    /// Observations of this record that the search workload's query matches.
    pub fn search_matches(&self) -> usize {
        self.others
            .iter()
            .filter(|e| {
                let r = &e.resource;
                r["code"]["coding"][0]["code"] == SEARCH_CODE
                    && r["effectiveDateTime"].as_str() >= Some(SEARCH_FROM)
            })
            .count()
    }

    pub fn into_entries(self) -> impl Iterator<Item = Entry> {
        std::iter::once(self.patient).chain(self.others)
    }
}

/// A `transaction` Bundle that POSTs every entry to its type.
pub fn transaction(entries: impl IntoIterator<Item = Entry>) -> Value {
    let entry: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            let rtype = e.resource["resourceType"].as_str().unwrap_or("").to_owned();
            json!({"fullUrl": format!("urn:uuid:{}", e.uuid), "resource": e.resource,
                   "request": {"method": "POST", "url": rtype}})
        })
        .collect();
    json!({"resourceType": "Bundle", "type": "transaction", "entry": entry})
}

#[cfg(test)]
#[path = "data_tests.rs"]
mod tests;
