//! Search fixtures: a seeded set of observations and plan-building shorthands.

use super::*;
use cartella_store::search::*;

pub fn plan(tenant: &TenantId, clauses: Vec<Clause>) -> SearchPlan {
    SearchPlan {
        tenant: tenant.clone(),
        rtype: "Observation".into(),
        clauses,
        sort: Default::default(),
        after: None,
        limit: 100,
    }
}

pub fn index(param: &str, any_of: Vec<Match>) -> Clause {
    Clause::Index {
        params: vec![param.into()],
        negate: false,
        any_of,
    }
}

pub fn string(value: &str, how: StringMatch) -> Match {
    Match::String {
        value: value.into(),
        how,
    }
}

/// o1..o4 with different index rows; o5 deleted; one Patient with the same rows.
pub async fn seed(db: &cartella_store_pg::PgBackend, t: &TenantId) {
    let mut ops = Vec::new();
    for (n, code, system, value, date, subject) in [
        (1, "8867-4", "http://loinc.org", "heart rate", 1_000, "p1"),
        (
            2,
            "8310-5",
            "http://loinc.org",
            "body temperature",
            2_000,
            "p1",
        ),
        (3, "8867-4", "", "heart_rate 100%", 3_000, "p2"),
        (4, "x", "urn:local", "hearty", 4_000, "p2"),
        (5, "8867-4", "http://loinc.org", "heart rate", 5_000, "p1"),
    ] {
        let mut o = op(t, "Observation", &format!("o{n}"), 1, 10 * n);
        o.deleted = n == 5;
        o.patient_id = Some(subject.into());
        o.index = IndexRows {
            tokens: vec![token("code", system, code), token("status", "", "final")],
            strings: vec![StringRow {
                param: "text",
                value: value.into(),
            }],
            blinds: vec![BlindRow {
                param: "identifier",
                token: [n as u8; 16],
            }],
            dates: vec![DateRow {
                param: "date",
                lo: date,
                hi: date + 999,
            }],
            refs: vec![RefRow {
                param: "subject",
                target_type: "Patient".into(),
                target_id: subject.into(),
            }],
            quantities: vec![QuantityRow {
                param: "value",
                value: n as f64 * 10.0,
                system: "http://unitsofmeasure.org".into(),
                code: "mg".into(),
            }],
        };
        ops.push(o);
    }
    let mut patient = op(t, "Patient", "o1", 1, 5);
    patient
        .index
        .tokens
        .push(token("code", "http://loinc.org", "8867-4"));
    ops.push(patient);
    db.write(batch(ops)).await.unwrap();
}

pub async fn ids(db: &cartella_store_pg::PgBackend, plan: &SearchPlan) -> Vec<String> {
    let found = db.search(plan).await.unwrap();
    assert_eq!(
        db.count(&SearchPlan {
            sort: Default::default(),
            after: None,
            limit: 0,
            ..plan.clone()
        })
        .await
        .unwrap(),
        {
            // `count` ignores paging, so compare against an unpaged search.
            let all = db
                .search(&SearchPlan {
                    sort: Default::default(),
                    after: None,
                    limit: 1000,
                    ..plan.clone()
                })
                .await
                .unwrap();
            all.len() as u64
        }
    );
    found.into_iter().map(|r| r.id).collect()
}
