//! The `bookings` constraint rows: every Appointment write path keeps them in step with the
//! resource, and the database refuses a double booking with every clash listed.

use crate::support::*;
use cartella_store::store::{Write, WriteOptions};
use cartella_store::{AccessContext, Store, StoreError};
use serde_json::{Value, json};

fn appt(status: &str, start: &str, end: &str, actors: &[&str]) -> Value {
    json!({
        "resourceType": "Appointment", "status": status, "start": start, "end": end,
        "participant": actors.iter().map(|a| json!({"actor": {"reference": a}, "status": "accepted"})).collect::<Vec<_>>(),
    })
}

const T9: &str = "2026-05-04T09:00:00+02:00";
const T930: &str = "2026-05-04T09:30:00+02:00";
const T10: &str = "2026-05-04T10:00:00+02:00";

async fn all_bookings(
    store: &Store,
    ctx: &AccessContext,
    actors: &[&str],
) -> Vec<(String, String)> {
    let actors: Vec<String> = actors.iter().map(|a| a.to_string()).collect();
    store
        .bookings(ctx, &actors, 0, i64::MAX)
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.appointment_id, b.actor))
        .collect()
}

fn clashes(e: StoreError) -> Vec<(String, String)> {
    match e {
        StoreError::BookingConflict(c) => c
            .into_iter()
            .map(|c| (c.existing.appointment_id, c.existing.actor))
            .collect(),
        other => panic!("expected a booking conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn overlapping_booking_is_refused_listing_every_clash() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "book").await;
        let a = store
            .create(
                &ctx,
                "Appointment",
                appt("booked", T9, T930, &["Practitioner/d1", "Location/r1"]),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        let b = store
            .create(
                &ctx,
                "Appointment",
                appt("booked", T930, T10, &["Device/x"]),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        // Back-to-back is fine ([start, end) spans); this one overlaps both others.
        let err = store
            .create(
                &ctx,
                "Appointment",
                appt(
                    "booked",
                    "2026-05-04T09:15:00+02:00",
                    "2026-05-04T09:45:00+02:00",
                    &["Practitioner/d1", "Location/r1", "Device/x", "Patient/p9"],
                ),
                WriteOptions::default(),
            )
            .await
            .unwrap_err();
        let mut got = clashes(err);
        got.sort();
        let mut want = vec![
            (a.clone(), "Location/r1".to_owned()),
            (a.clone(), "Practitioner/d1".to_owned()),
            (b.clone(), "Device/x".to_owned()),
        ];
        want.sort();
        assert_eq!(got, want, "{}", w.name);
        // Nothing of the refused write was stored.
        assert!(
            all_bookings(&store, &ctx, &["Patient/p9"]).await.is_empty(),
            "{}",
            w.name
        );
        let page = store.search(&ctx, "Appointment", &[]).await.unwrap();
        assert_eq!(page.resources.len(), 2, "{}", w.name);
    }
}

#[tokio::test]
async fn update_cancel_and_delete_release_the_time() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "release").await;
        let body = appt("booked", T9, T930, &["Practitioner/d1"]);
        let a = store
            .create(&ctx, "Appointment", body.clone(), WriteOptions::default())
            .await
            .unwrap()
            .resource
            .id;
        // Moving an appointment over its own old time is not a clash with itself.
        let mut moved = body.clone();
        moved["id"] = json!(a);
        moved["end"] = json!(T10);
        store
            .update(
                &ctx,
                "Appointment",
                &a,
                moved.clone(),
                WriteOptions::default(),
            )
            .await
            .unwrap();
        let held = store
            .bookings(&ctx, &["Practitioner/d1".into()], 0, i64::MAX)
            .await
            .unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].end - held[0].start, 3_600_000_000, "{}", w.name);
        // Cancelled: the time is free again.
        moved["status"] = json!("cancelled");
        store
            .update(
                &ctx,
                "Appointment",
                &a,
                moved.clone(),
                WriteOptions::default(),
            )
            .await
            .unwrap();
        assert!(
            all_bookings(&store, &ctx, &["Practitioner/d1"])
                .await
                .is_empty(),
            "{}",
            w.name
        );
        let b = store
            .create(&ctx, "Appointment", body.clone(), WriteOptions::default())
            .await
            .unwrap()
            .resource
            .id;
        // Re-activating the cancelled one now clashes with the new booking.
        moved["status"] = json!("booked");
        let err = store
            .update(&ctx, "Appointment", &a, moved, WriteOptions::default())
            .await
            .unwrap_err();
        assert_eq!(
            clashes(err),
            vec![(b.clone(), "Practitioner/d1".to_owned())],
            "{}",
            w.name
        );
        // Delete releases the time too.
        store.delete(&ctx, "Appointment", &b).await.unwrap();
        assert!(
            all_bookings(&store, &ctx, &["Practitioner/d1"])
                .await
                .is_empty(),
            "{}",
            w.name
        );
    }
}

#[tokio::test]
async fn transactions_and_imports_are_checked_too() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "txn").await;
        let a = store
            .create(
                &ctx,
                "Appointment",
                appt("booked", T9, T930, &["Practitioner/d1"]),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        let put = |id: &str, body: Value| Write::Put {
            rtype: "Appointment".into(),
            id: id.into(),
            body,
            if_match: None,
        };
        // Two appointments of one transaction colliding with each other and with `a`.
        let err = store
            .write_all(
                &ctx,
                vec![
                    put("tx-1", appt("booked", T930, T10, &["Location/r1"])),
                    put(
                        "tx-2",
                        appt("booked", T9, T10, &["Location/r1", "Practitioner/d1"]),
                    ),
                ],
            )
            .await
            .unwrap_err();
        let mut got = clashes(err);
        got.sort();
        assert_eq!(
            got,
            vec![
                (a.clone(), "Practitioner/d1".into()),
                ("tx-1".into(), "Location/r1".into())
            ],
            "{}",
            w.name
        );
        assert!(
            all_bookings(&store, &ctx, &["Location/r1"])
                .await
                .is_empty(),
            "{}",
            w.name
        );
        // Import of a clashing appointment is refused as a whole.
        let mut dup = appt("booked", T9, T930, &["Practitioner/d1"]);
        dup["id"] = json!("imp-1");
        let err = store
            .import(&ctx, vec![("Appointment".into(), dup)])
            .await
            .unwrap_err();
        assert_eq!(
            clashes(err),
            vec![(a.clone(), "Practitioner/d1".into())],
            "{}",
            w.name
        );
        // Invalid timing on a booked appointment is refused before anything is written.
        let err = store
            .create(
                &ctx,
                "Appointment",
                appt("booked", T10, T9, &["Practitioner/d2"]),
                WriteOptions::default(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidResource(ref m) if m.contains("after")),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn concurrent_writers_book_a_slot_exactly_once() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "race").await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let (store, ctx) = (store.clone(), ctx.clone());
            tasks.push(tokio::spawn(async move {
                let body = appt(
                    "booked",
                    T9,
                    T930,
                    &["Location/theatre", &format!("Patient/p{i}")],
                );
                store
                    .create(&ctx, "Appointment", body, WriteOptions::default())
                    .await
            }));
        }
        let mut won = Vec::new();
        let mut lost = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(o) => won.push(o.resource.id),
                Err(e) => {
                    let c = clashes(e);
                    assert_eq!(c.len(), 1, "{}", w.name);
                    lost += 1;
                }
            }
        }
        assert_eq!(won.len(), 1, "{}", w.name);
        assert_eq!(lost, 39);
        assert_eq!(
            all_bookings(&store, &ctx, &["Location/theatre"]).await,
            vec![(won[0].clone(), "Location/theatre".into())]
        );
    }
}
