//! `POST /api/v1/planning/optimise-day`: a better order proposed, then applied atomically.

use super::*;
use crate::support::worlds;

#[tokio::test]
async fn theatre_day_reordered_around_a_late_surgeon_and_applied() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        app.create(
            "Schedule",
            &schedule("Location/or1", &["theatre"], &["mon-fri 08:00-13:00"], &[]),
        )
        .await;
        app.create(
            "Schedule",
            &schedule(
                "Practitioner/sa",
                &["surgeon"],
                &["mon-fri 08:00-18:00"],
                &[],
            ),
        )
        .await;
        // Surgeon B starts at 9.
        app.create(
            "Schedule",
            &schedule(
                "Practitioner/sb",
                &["surgeon"],
                &["mon-fri 09:00-18:00"],
                &[],
            ),
        )
        .await;
        let mut ids = Vec::new();
        for (start, minutes, surgeon) in [
            ("2026-05-05T09:00", 120, "Practitioner/sb"),
            ("2026-05-05T11:00", 60, "Practitioner/sa"),
            ("2026-05-05T12:00", 60, "Practitioner/sa"),
        ] {
            let r = planning(&app, "/book", &json!({"start": start, "duration_minutes": minutes, "resources": ["Location/or1", surgeon]})).await;
            ids.push(
                data(&r, StatusCode::CREATED)["appointment"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        let r = planning(
            &app,
            "/optimise-day",
            &json!({"resource": "Location/or1", "date": "2026-05-05"}),
        )
        .await;
        let d = data(&r, StatusCode::OK);
        assert_eq!(d["before"]["idle_minutes"], 60, "{}: {d}", app.backend);
        assert_eq!(d["after"]["idle_minutes"], 0, "{d}");
        assert_eq!(d["after"]["overrun_minutes"], 0);
        assert_eq!(d["applied"], false);
        let order: Vec<&str> = d["after"]["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            order[0], ids[1],
            "the short case with the early surgeon first"
        );
        // Nothing changed yet.
        let (_, a) = cartella_server::scheduling::service::read(&app.store, &app.tenant_a, &ids[1])
            .await
            .unwrap();
        assert_eq!(a["start"], "2026-05-05T11:00:00+02:00");

        let r = planning(
            &app,
            "/optimise-day",
            &json!({"resource": "Location/or1", "date": "2026-05-05", "apply": true}),
        )
        .await;
        let d = data(&r, StatusCode::OK);
        assert_eq!(d["applied"], true, "{}: {d}", app.backend);
        let start = |id: &str| {
            let store = app.store.clone();
            let ctx = app.tenant_a.clone();
            let id = id.to_owned();
            async move {
                cartella_server::scheduling::service::read(&store, &ctx, &id)
                    .await
                    .unwrap()
                    .1["start"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        };
        assert_eq!(
            start(&ids[1]).await,
            "2026-05-05T08:00:00+02:00",
            "{}",
            app.backend
        );
        assert_eq!(start(&ids[0]).await, "2026-05-05T09:00:00+02:00");
        // The third case moved into the slot the second one left, in the same transaction.
        assert_eq!(start(&ids[2]).await, "2026-05-05T11:00:00+02:00");
        // Optimal now: nothing more to gain.
        let r = planning(
            &app,
            "/optimise-day",
            &json!({"resource": "Location/or1", "date": "2026-05-05"}),
        )
        .await;
        let d = data(&r, StatusCode::OK);
        assert_eq!(d["before"], d["after"]);
        let r = planning(
            &app,
            "/optimise-day",
            &json!({"resource": "Location/nowhere", "date": "2026-05-05"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
