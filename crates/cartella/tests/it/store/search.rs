//! Search over the plaintext index: tokens, dates with prefixes, references, quantities,
//! `_id`, `_lastUpdated`, `_total`, and keyset paging that stays correct under concurrent writes.

use crate::support::*;
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, Store};
use serde_json::json;
use std::collections::BTreeSet;

fn obs(patient: &str, code: &str, date: &str, value: f64) -> serde_json::Value {
    json!({"resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": format!("Patient/{patient}")},
        "effectiveDateTime": date,
        "valueQuantity": {"value": value, "system": "http://unitsofmeasure.org", "code": "/min"}})
}

async fn ids(
    store: &Store,
    ctx: &AccessContext,
    rtype: &str,
    params: &[(&str, &str)],
) -> BTreeSet<String> {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let page = store.search(ctx, rtype, &params).await.unwrap();
    page.resources.into_iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn token_date_reference_and_quantity_searches() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "search").await;
        let mut made = Vec::new();
        for (p, code, date, value) in [
            ("p1", "8867-4", "2020-06-01T10:00:00Z", 60.0),
            ("p1", "8867-4", "2021-03-05T10:00:00Z", 72.0),
            ("p1", "8480-6", "2021-03-05T10:00:00Z", 130.0),
            ("p2", "8867-4", "2022-01-01", 90.5),
        ] {
            made.push(
                store
                    .create(
                        &ctx,
                        "Observation",
                        obs(p, code, date, value),
                        WriteOptions::default(),
                    )
                    .await
                    .unwrap()
                    .resource
                    .id,
            );
        }
        let set = |idx: &[usize]| {
            idx.iter()
                .map(|i| made[*i].clone())
                .collect::<BTreeSet<_>>()
        };
        let name = w.name;
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("code", "8867-4")]).await,
            set(&[0, 1, 3]),
            "{name}"
        );
        assert_eq!(
            ids(
                &store,
                &ctx,
                "Observation",
                &[("code", "http://loinc.org|8480-6")]
            )
            .await,
            set(&[2]),
            "{name}"
        );
        assert_eq!(
            ids(
                &store,
                &ctx,
                "Observation",
                &[("code", "http://other|8480-6")]
            )
            .await,
            set(&[]),
            "{name}"
        );
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("code:not", "8867-4")]).await,
            set(&[2]),
            "{name}"
        );
        assert_eq!(
            ids(
                &store,
                &ctx,
                "Observation",
                &[("code", "8480-6,8867-4"), ("patient", "p2")]
            )
            .await,
            set(&[3]),
            "{name}"
        );
        assert_eq!(
            ids(
                &store,
                &ctx,
                "Observation",
                &[
                    ("subject", "Patient/p1"),
                    ("code", "8867-4"),
                    ("date", "ge2021-01-01")
                ]
            )
            .await,
            set(&[1]),
            "{name}"
        );
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("date", "2021")]).await,
            set(&[1, 2]),
            "{name}"
        );
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("date", "2021-03-05")]).await,
            set(&[1, 2]),
            "{name}"
        );
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("date", "lt2021-03-05")]).await,
            set(&[0]),
            "{name}"
        );
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("date", "ne2021")]).await,
            set(&[0, 3]),
            "{name}"
        );
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("date", "gt2021-12-31")]).await,
            set(&[3]),
            "{name}"
        );
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("value-quantity", "gt70")]).await,
            set(&[1, 2, 3]),
            "{name}"
        );
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("value-quantity", "90.5")]).await,
            set(&[3]),
            "{name}"
        );
        assert_eq!(
            ids(
                &store,
                &ctx,
                "Observation",
                &[("value-quantity", "le72|http://unitsofmeasure.org|/min")]
            )
            .await,
            set(&[0, 1]),
            "{name}"
        );
        assert_eq!(
            ids(
                &store,
                &ctx,
                "Observation",
                &[("_id", &format!("{},{}", made[0], made[3]))]
            )
            .await,
            set(&[0, 3]),
            "{name}"
        );
        let future = format!("gt{}", jiff_year_ahead());
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("_lastUpdated", &future)]).await,
            set(&[]),
            "{name}"
        );
        assert_eq!(
            ids(
                &store,
                &ctx,
                "Observation",
                &[("_lastUpdated", "gt2020-01-01")]
            )
            .await
            .len(),
            4,
            "{name}"
        );

        // Updates re-index; deletes leave the index.
        let mut changed = obs("p2", "8480-6", "2022-01-01", 90.5);
        changed["id"] = json!(made[3]);
        store
            .update(
                &ctx,
                "Observation",
                &made[3],
                changed,
                WriteOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("code", "8867-4")]).await,
            set(&[0, 1]),
            "{name}: reindexed"
        );
        store.delete(&ctx, "Observation", &made[0]).await.unwrap();
        assert_eq!(
            ids(&store, &ctx, "Observation", &[("code", "8867-4")]).await,
            set(&[1]),
            "{name}: deleted"
        );
        let page = store
            .search(
                &ctx,
                "Observation",
                &[
                    ("_total".into(), "accurate".into()),
                    ("_count".into(), "0".into()),
                ],
            )
            .await
            .unwrap();
        assert_eq!(
            (page.total, page.resources.len()),
            (Some(3), 0),
            "{name}: _summary-style count"
        );
        let warned = store
            .search(&ctx, "Observation", &[("nonsense".into(), "1".into())])
            .await
            .unwrap();
        assert_eq!(warned.warnings.len(), 1);
    }
}

fn jiff_year_ahead() -> String {
    let now = cartella_core::Timestamp::now().to_string();
    let year: i32 = now[..4].parse().unwrap();
    format!("{}-01-01", year + 1)
}

#[tokio::test]
async fn paging_sees_every_match_once_under_concurrent_writes() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "paging").await;
        let mut all = BTreeSet::new();
        for i in 0..23 {
            let id = store
                .create(
                    &ctx,
                    "Observation",
                    obs("p1", "8867-4", "2024-01-01", i as f64),
                    WriteOptions::default(),
                )
                .await
                .unwrap()
                .resource
                .id;
            all.insert(id);
        }
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut params = vec![
                ("code".to_owned(), "8867-4".to_owned()),
                ("_count".to_owned(), "5".to_owned()),
            ];
            if let Some(c) = &cursor {
                params.push(("_cursor".into(), c.clone()));
            }
            let page = store.search(&ctx, "Observation", &params).await.unwrap();
            seen.extend(page.resources.iter().map(|r| r.id.clone()));
            pages += 1;
            if pages == 2 {
                // Meanwhile: a new match arrives and an early one is updated.
                let id = store
                    .create(
                        &ctx,
                        "Observation",
                        obs("p1", "8867-4", "2024-01-01", 99.0),
                        WriteOptions::default(),
                    )
                    .await
                    .unwrap()
                    .resource
                    .id;
                all.insert(id);
                let first = seen[0].clone();
                let mut body = obs("p1", "8867-4", "2024-01-01", 100.0);
                body["id"] = json!(first);
                store
                    .update(&ctx, "Observation", &first, body, WriteOptions::default())
                    .await
                    .unwrap();
            }
            match page.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        let unique: BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!(
            unique, all,
            "{}: every match seen (an updated one may be seen again, never lost)",
            w.name
        );
        assert!(seen.len() <= all.len() + 1, "{}", w.name);
        assert!(
            store
                .search(&ctx, "Observation", &[("_cursor".into(), "garbage".into())])
                .await
                .is_err()
        );
    }
}

/// Every page of a sorted search, following the store's cursors; `between` runs after each
/// page (to write concurrently).
async fn sorted_pages(
    store: &Store,
    ctx: &AccessContext,
    sort: &str,
    mut between: impl FnMut(usize) -> Option<(String, serde_json::Value)>,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page_no in 0..20 {
        let mut params = vec![
            ("_sort".to_owned(), sort.to_owned()),
            ("_count".to_owned(), "2".to_owned()),
        ];
        params.extend(cursor.clone().map(|c| ("_cursor".to_owned(), c)));
        let page = store.search(ctx, "Observation", &params).await.unwrap();
        seen.extend(page.resources.into_iter().map(|r| r.id));
        if let Some((id, mut body)) = between(page_no) {
            body["id"] = json!(id);
            store
                .update(ctx, "Observation", &id, body, WriteOptions::default())
                .await
                .unwrap();
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    seen
}

#[tokio::test]
async fn sorted_paging_is_keyset_and_survives_concurrent_updates() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "sorting").await;
        let dates = [
            "2021-05-01",
            "2020-01-01",
            "2022-03-03",
            "2020-01-01",
            "2019-12-31",
        ];
        let mut made = Vec::new();
        for d in dates {
            let o = obs("p1", "8867-4", d, 70.0);
            made.push(
                store
                    .create(&ctx, "Observation", o, WriteOptions::default())
                    .await
                    .unwrap()
                    .resource
                    .id,
            );
        }
        let order = |idx: &[usize]| idx.iter().map(|i| made[*i].clone()).collect::<Vec<_>>();
        // An update of an already-seen resource that keeps its date neither repeats nor hides
        // anything: the key of the sort is the date, not the write time.
        let first = made[4].clone();
        let seen = sorted_pages(&store, &ctx, "date", |page| {
            (page == 0).then(|| (first.clone(), obs("p1", "8867-4", "2019-12-31", 99.0)))
        })
        .await;
        assert_eq!(seen, order(&[4, 1, 3, 0, 2]), "{}", w.name);
        let seen = sorted_pages(&store, &ctx, "-date", |_| None).await;
        assert_eq!(seen, order(&[2, 0, 3, 1, 4]), "{}", w.name);
        // Sorted by _lastUpdated, the updated resource moves to the end and is seen again there
        // rather than skipping another.
        let moved = made[1].clone();
        let seen = sorted_pages(&store, &ctx, "_lastUpdated", |page| {
            (page == 0).then(|| (moved.clone(), obs("p1", "8867-4", "2020-01-01", 1.0)))
        })
        .await;
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), 5, "{}: {seen:?}", w.name);
    }
}

#[tokio::test]
async fn chained_parameters_resolve_through_the_target_index() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "chains").await;
        let mut patients = Vec::new();
        for (family, birth) in [("Rossini", "1950-02-03"), ("Verdini", "1960-04-05")] {
            let p = json!({"resourceType": "Patient", "name": [{"family": family}], "birthDate": birth});
            patients.push(
                store
                    .create(&ctx, "Patient", p, WriteOptions::default())
                    .await
                    .unwrap()
                    .resource
                    .id,
            );
        }
        let mut observations = Vec::new();
        for p in &patients {
            observations.push(
                store
                    .create(
                        &ctx,
                        "Observation",
                        obs(p, "8867-4", "2024-01-01", 70.0),
                        WriteOptions::default(),
                    )
                    .await
                    .unwrap()
                    .resource
                    .id,
            );
        }
        let one = |i: usize| BTreeSet::from([observations[i].clone()]);
        assert_eq!(
            ids(
                &store,
                &ctx,
                "Observation",
                &[("subject:Patient.family", "rossini")]
            )
            .await,
            one(0),
            "{}",
            w.name
        );
        assert_eq!(
            ids(
                &store,
                &ctx,
                "Observation",
                &[("patient.birthdate", "1960-04")]
            )
            .await,
            one(1),
            "{}",
            w.name
        );
        assert!(
            ids(
                &store,
                &ctx,
                "Observation",
                &[("patient.family", "bianchi")]
            )
            .await
            .is_empty()
        );
        // A chain that leads nowhere is reported, not applied.
        let page = store
            .search(&ctx, "Observation", &[("status.name".into(), "x".into())])
            .await
            .unwrap();
        assert_eq!(page.resources.len(), 2);
        assert_eq!(page.warnings.len(), 1, "{}", w.name);
    }
}
