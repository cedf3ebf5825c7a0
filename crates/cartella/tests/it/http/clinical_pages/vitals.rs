//! The vitals form and charts: alerts shown after saving and in the chart header (and
//! acknowledged there), per-field translated errors with the typed values kept and nothing
//! saved, decimal commas, and the SVG chart with its band and flagged points.

use super::*;

#[tokio::test]
async fn a_nurse_records_vitals_sees_the_alerts_and_acknowledges_them() {
    for world in crate::support::worlds().await {
        let app = spawn_app(&world).await;
        let (_doc, id) = doctor_with_patient(&app).await;
        staff(&app, "nurse@a.example", "nurse").await;
        let mut b = Browser::new(&app);
        b.sign_in("nurse@a.example").await;
        let form = format!("/patients/{id}/clinical/vitals");
        let page = b.get(&form).await;
        assert!(
            page.text.contains(r#"inputmode="decimal""#) && page.text.contains("mmHg"),
            "{}",
            page.text
        );
        // A decimal comma, a fever and a high blood pressure.
        let r = b
            .submit(
                &form,
                &form,
                &[
                    ("systolic", "182"),
                    ("diastolic", "96"),
                    ("temperature", "39,4"),
                    ("spo2", "97"),
                    ("pain", "3"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", app.backend, r.text);
        assert!(
            r.text.contains("Attention: these values raised alerts"),
            "{}",
            r.text
        );
        assert!(
            r.text
                .contains("Temperature 39.4 °C is critically high (reference 36.1–38)"),
            "{}",
            r.text
        );
        assert!(r.text.contains("Systolic 182 mmHg"), "{}", r.text);
        assert_eq!(
            count(&app, "Observation", &id).await,
            4,
            "{}: BP panel, temperature, SpO2, pain",
            app.backend
        );
        // The chart header lists the active alerts with an acknowledge button.
        let overview = b.get(&format!("/patients/{id}/clinical")).await;
        assert!(
            overview.text.contains("Active alerts") && overview.text.contains("/acknowledge"),
            "{}",
            overview.text
        );
        let flags = count(&app, "Flag", &id).await;
        assert!(flags >= 2, "{}: {flags} flags", app.backend);
        let at = overview.text.find("/clinical/alerts/").unwrap();
        let action = overview.text[at..].split('"').next().unwrap().to_owned();
        let r = b
            .submit(
                &format!("/patients/{id}/clinical"),
                &format!("/patients/{id}{action}"),
                &[("back", &format!("/patients/{id}/clinical"))],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            r.text
        );
        let active = app
            .store
            .search(
                &app.tenant_a,
                "Flag",
                &[
                    ("patient".into(), id.clone()),
                    ("status".into(), "active".into()),
                ],
            )
            .await
            .unwrap()
            .resources
            .len();
        assert_eq!(active, flags - 1, "{}: one alert acknowledged", app.backend);
        // The chart of the temperature: the value as a flagged point, the band, dates.
        let chart = b
            .get(&format!(
                "/patients/{id}/clinical/vitals/temperature?range=3m"
            ))
            .await;
        assert_eq!(chart.status, StatusCode::OK, "{}", chart.text);
        assert!(
            chart.text.contains("<svg class=\"plot\"") && chart.text.contains("class=\"band\""),
            "{}",
            chart.text
        );
        assert!(
            chart.text.contains("pt pt-abnormal") || chart.text.contains("pt pt-critical"),
            "{}",
            chart.text
        );
        assert!(
            chart.text.contains("1 values, 1 outside the range"),
            "{}",
            chart.text
        );
        let empty = b
            .get(&format!("/patients/{id}/clinical/vitals/weight?range=all"))
            .await;
        assert!(empty.text.contains("No values in this period."));
        assert_eq!(
            b.get(&format!("/patients/{id}/clinical/vitals/shoe-size"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn bad_vitals_are_refused_per_field_in_the_users_language_and_nothing_is_saved() {
    for world in crate::support::worlds().await {
        let app = spawn_app(&world).await;
        let (_doc, id) = doctor_with_patient(&app).await;
        staff(&app, "nurse@a.example", "nurse").await;
        let mut b = Browser::new(&app);
        b.lang = Some("it-IT");
        b.sign_in("nurse@a.example").await;
        let form = format!("/patients/{id}/clinical/vitals");
        let r = b
            .submit(
                &form,
                &form,
                &[
                    ("systolic", "80"),
                    ("diastolic", "95"),
                    ("weight", "settanta"),
                    ("pain", "11"),
                    ("heart_rate", "72"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {}",
            app.backend,
            r.text
        );
        for text in [
            "La pressione diastolica deve essere inferiore alla sistolica.",
            "Inserisca un numero.",
            "Il valore è fuori dalla scala di questa misura.",
            r#"value="settanta""#,
            r#"value="72""#,
        ] {
            assert!(r.text.contains(text), "{}: {text}: {}", app.backend, r.text);
        }
        assert_eq!(
            count(&app, "Observation", &id).await,
            0,
            "{}: nothing partial saved",
            app.backend
        );
        // An impossible value and an empty form.
        let r = b.submit(&form, &form, &[("temperature", "55")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text.contains("Valore fisiologicamente impossibile"),
            "{}",
            r.text
        );
        let r = b.submit(&form, &form, &[("temperature", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text.contains("Inserisca almeno un parametro vitale."),
            "{}",
            r.text
        );
        assert_eq!(count(&app, "Observation", &id).await, 0);
        // Without the form token nothing happens either.
        let r = b.post(&form, &[("heart_rate", "70")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(count(&app, "Observation", &id).await, 0);
    }
}

#[tokio::test]
async fn a_device_export_is_imported_from_the_page_only_when_every_line_is_good() {
    for world in crate::support::worlds().await {
        let app = spawn_app(&world).await;
        let (mut b, patient) = doctor_with_patient(&app).await;
        let page = format!("/patients/{patient}/clinical/device-readings");
        let bad = "2026-01-10T08:00:00Z,heart_rate,70,/min,OX-1\n2026-01-10T08:05:00Z,heart_rate,n/a,/min,OX-1\n";
        let r = b.submit(&page, &page, &[("csv", bad)]).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {}",
            app.backend,
            r.text
        );
        assert!(
            r.text.contains("rows[2].value") && r.text.contains("OX-1"),
            "the row and the typed text: {}",
            r.text
        );
        assert_eq!(
            count(&app, "Observation", &patient).await,
            0,
            "nothing saved"
        );
        let good = "time,code,value,unit,device\n2026-01-10T08:00:00Z,heart_rate,70,/min,OX-1\n";
        let r = b.submit(&page, &page, &[("csv", good)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(
            r.text.contains("Imported 1 sets with 1 values"),
            "{}",
            r.text
        );
        assert_eq!(count(&app, "Observation", &patient).await, 1);
    }
}
