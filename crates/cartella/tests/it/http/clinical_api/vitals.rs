//! Vital signs: every impossible value reported at once and nothing saved; a valid set stored
//! as vital-signs Observations with BMI computed; out-of-range and sharp-change alerts returned,
//! stored as Flags and listed; a series per code for charts.

use super::*;

#[tokio::test]
async fn impossible_vitals_are_refused_field_by_field_and_nothing_is_saved() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let pid = new_patient(&app, "1980-02-02").await;
        let b = app.backend;
        let bad = json!({
            "effective": "2999-01-01T10:00:00Z",
            "weight": -4, "systolic": 70, "diastolic": 90,
            "temperature": {"value": 37, "unit": "degrees"},
            "height": {"value": 170, "unit": "kg"},
            "heart_rate": 900, "pain": 12, "glucose": 5,
            "spo2": 97,
        });
        let r = call(
            &app,
            Method::POST,
            &format!("/patients/{pid}/vitals"),
            Some(&bad),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![
                ("diastolic".into(), "diastolic_not_below_systolic".into()),
                ("effective".into(), "future_date".into()),
                ("glucose".into(), "unknown_field".into()),
                ("heart_rate".into(), "implausible".into()),
                ("height".into(), "wrong_unit".into()),
                ("pain".into(), "out_of_scale".into()),
                ("temperature".into(), "unknown_unit".into()),
                ("weight".into(), "not_positive".into()),
            ],
            "{b}"
        );
        assert_eq!(
            count(&app, "Observation", &pid).await,
            0,
            "{b}: nothing saved"
        );
        assert_eq!(count(&app, "Flag", &pid).await, 0, "{b}");
        let r = call(
            &app,
            Method::POST,
            &format!("/patients/{pid}/vitals"),
            Some(&json!({"weight": 70, "encounter": "no-such-visit"})),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![("encounter".into(), "unknown_encounter".into())],
            "{b}"
        );
    }
}

#[tokio::test]
async fn vitals_are_stored_with_alerts_and_charted() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let pid = new_patient(&app, "1980-02-02").await;
        let b = app.backend;
        let visit = expect(
            &app,
            Method::POST,
            &format!("/patients/{pid}/encounters"),
            None,
            StatusCode::CREATED,
        )
        .await;
        let eid = visit["id"].as_str().unwrap();
        let first = json!({
            "effective": "2026-01-10T09:00:00Z", "encounter": eid,
            "systolic": 125, "diastolic": 80, "heart_rate": 72, "spo2": 98,
            "weight": {"value": 176.37, "unit": "[lb_av]"}, "height": 175,
            "temperature": 36.8, "pain": 2,
        });
        let rec = expect(
            &app,
            Method::POST,
            &format!("/patients/{pid}/vitals"),
            Some(&first),
            StatusCode::CREATED,
        )
        .await;
        // Only the BMI (26.1, overweight) is outside its adult range.
        let first_alerts = rec["alerts"].as_array().unwrap().len();
        assert_eq!(first_alerts, 1, "{b}: {rec}");
        assert_eq!(rec["alerts"][0]["field"], "bmi", "{b}: {rec}");
        let value = |rec: &Value, f: &str| {
            rec["values"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["field"] == f)
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(
            value(&rec, "weight")["value"],
            80.0,
            "{b}: pounds converted to kg"
        );
        assert_eq!(value(&rec, "bmi")["value"], 26.1, "{b}: BMI computed");
        assert_eq!(value(&rec, "bmi")["flag"], "H", "{b}");
        assert_eq!(
            value(&rec, "systolic")["observation"],
            value(&rec, "diastolic")["observation"],
            "{b}: one BP panel"
        );

        // The BP panel as FHIR: vital-signs profile, LOINC components, UCUM.
        let bp = app
            .get(&format!(
                "Observation/{}",
                value(&rec, "systolic")["observation"].as_str().unwrap()
            ))
            .await
            .json();
        assert_eq!(bp["code"]["coding"][0]["code"], "85354-9", "{b}");
        assert_eq!(bp["category"][0]["coding"][0]["code"], "vital-signs", "{b}");
        assert_eq!(
            bp["component"][0]["code"]["coding"][0]["code"], "8480-6",
            "{b}"
        );
        assert_eq!(bp["component"][0]["valueQuantity"]["code"], "mm[Hg]", "{b}");
        assert_eq!(
            bp["encounter"]["reference"],
            format!("Encounter/{eid}"),
            "{b}"
        );
        let bmi = app
            .get(&format!(
                "Observation/{}",
                value(&rec, "bmi")["observation"].as_str().unwrap()
            ))
            .await
            .json();
        assert_eq!(
            bmi["derivedFrom"].as_array().unwrap().len(),
            2,
            "{b}: {bmi}"
        );

        // Next day: hypertensive crisis and a 6 % weight gain; BMI from the stored height.
        let second = json!({"effective": "2026-01-11T09:00:00Z", "systolic": 190, "diastolic": 100, "weight": 85});
        let rec2 = expect(
            &app,
            Method::POST,
            &format!("/patients/{pid}/vitals"),
            Some(&second),
            StatusCode::CREATED,
        )
        .await;
        let alerts: Vec<(String, String)> = rec2["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["field"].as_str().unwrap().to_owned(),
                    a["kind"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        for expected in [
            ("systolic", "out-of-range"),
            ("systolic", "sharp-change"),
            ("diastolic", "out-of-range"),
            ("weight", "sharp-change"),
        ] {
            assert!(
                alerts.contains(&(expected.0.into(), expected.1.into())),
                "{b}: {expected:?} in {alerts:?}"
            );
        }
        let sbp = rec2["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["field"] == "systolic" && a["kind"] == "out-of-range")
            .unwrap();
        assert_eq!(
            (sbp["flag"].as_str(), sbp["critical"].as_bool()),
            (Some("HH"), Some(true)),
            "{b}"
        );
        assert!(
            value(&rec2, "bmi")["value"].as_f64().is_some(),
            "{b}: BMI from the stored height: {rec2}"
        );

        // Recorded as Flags and listed for the header.
        let listed = expect(
            &app,
            Method::GET,
            &format!("/patients/{pid}/alerts"),
            None,
            StatusCode::OK,
        )
        .await;
        let total = alerts.len() + first_alerts;
        assert_eq!(listed.as_array().unwrap().len(), total, "{b}: {listed}");
        assert_eq!(count(&app, "Flag", &pid).await, total, "{b}");
        let flag_id = listed[0]["id"].as_str().unwrap();
        expect(
            &app,
            Method::POST,
            &format!("/alerts/{flag_id}/acknowledge"),
            None,
            StatusCode::OK,
        )
        .await;
        let listed = expect(
            &app,
            Method::GET,
            &format!("/patients/{pid}/alerts"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(listed.as_array().unwrap().len(), total - 1, "{b}");

        // Series for charts: oldest first, with the adult band.
        let s = expect(
            &app,
            Method::GET,
            &format!("/patients/{pid}/vitals/series?code=systolic"),
            None,
            StatusCode::OK,
        )
        .await;
        let points: Vec<f64> = s["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["value"].as_f64().unwrap())
            .collect();
        assert_eq!(points, vec![125.0, 190.0], "{b}: {s}");
        assert_eq!(s["points"][1]["flag"], "HH", "{b}");
        assert_eq!(
            (s["band"]["low"].as_f64(), s["band"]["high"].as_f64()),
            (Some(100.0), Some(139.0)),
            "{b}"
        );
        let s = expect(
            &app,
            Method::GET,
            &format!("/patients/{pid}/vitals/series?code=29463-7&from=2026-01-11"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(s["points"].as_array().unwrap().len(), 1, "{b}: {s}");
        let r = call(
            &app,
            Method::GET,
            &format!("/patients/{pid}/vitals/series?code=1234-5"),
            None,
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![("code".into(), "unknown_code".into())],
            "{b}"
        );
    }
}

#[tokio::test]
async fn children_are_judged_by_their_age_group() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let b = app.backend;
        // Heart rate 130: normal for an infant, high for an adult.
        let six_months = 182 * 86_400 * 1_000_000;
        let born = cartella_core::Timestamp::from_micros(
            cartella_core::Timestamp::now().micros() - six_months,
        );
        let infant = new_patient(&app, &born.to_string()[..10]).await;
        let adult = new_patient(&app, "1980-01-01").await;
        let set = json!({"heart_rate": 130});
        let r = expect(
            &app,
            Method::POST,
            &format!("/patients/{infant}/vitals"),
            Some(&set),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(r["values"][0]["flag"], "N", "{b}: {r}");
        let r = expect(
            &app,
            Method::POST,
            &format!("/patients/{adult}/vitals"),
            Some(&set),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(r["values"][0]["flag"], "H", "{b}: {r}");
        assert_eq!(r["alerts"][0]["kind"], "out-of-range", "{b}");
    }
}
