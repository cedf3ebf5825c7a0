//! The clinical record in a real browser: a nurse on an 800-px tablet records vitals and sees
//! the out-of-range alert; a doctor finds a diagnosis by words as they type ("low back pain"),
//! adds it, prescribes a drug the patient is allergic to, sees the alert and overrides it with
//! a reason.

use super::*;
use crate::http::spawn_app;
use crate::support;
use cartella_auth::service::NewUser;
use serde_json::json;

const PASSWORD: &str = "Ambulatorio-2024!x";

async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "#f-email", email).await;
    fill(c, "#f-password", PASSWORD).await;
    click(c, "form[action='/login'] button.primary").await;
    wait_text(c, "main", "Hello").await;
}

#[tokio::test]
async fn a_nurse_records_vitals_and_a_doctor_diagnoses_and_prescribes_past_an_alert() {
    let Some(driver) = driver().await else { return };
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    let base = app.base.clone();
    for (email, roles) in [("nurse@a.example", "nurse"), ("doc@a.example", "doctor")] {
        app.auth()
            .create_user(
                &app.tenant_a,
                NewUser {
                    email: email.into(),
                    name: format!("Staff {roles}"),
                    roles: roles.into(),
                    password: Some(PASSWORD.into()),
                    patient_id: None,
                    expires_at: None,
                },
            )
            .await
            .unwrap();
    }
    let patient = json!({"resourceType": "Patient", "active": true, "gender": "female",
        "name": [{"family": "Neri", "given": ["Carla"]}], "birthDate": "1961-05-20"});
    let id = app.create_id("Patient", &patient).await;

    // The nurse, on a tablet-sized window.
    let nurse = browser(&driver, 800, "en-GB").await;
    sign_in(&nurse, &base, "nurse@a.example").await;
    nurse
        .goto(&format!("{base}/patients/{id}/clinical/vitals"))
        .await
        .unwrap();
    fill(&nurse, "#f-systolic", "128").await;
    fill(&nurse, "#f-diastolic", "84").await;
    fill(&nurse, "#f-heart_rate", "125").await;
    fill(&nurse, "#f-temperature", "36.8").await;
    click(&nurse, "form.vitals-form button.primary").await;
    wait_text(
        &nurse,
        ".vitals-alerts",
        "Heart rate 125 /min is above the reference range",
    )
    .await;
    // The alert is also in the chart header of every clinical page.
    nurse
        .goto(&format!("{base}/patients/{id}/clinical"))
        .await
        .unwrap();
    wait_text(&nurse, ".vital-alerts", "Heart rate").await;
    nurse.close().await.ok();

    // The doctor.
    let doc = browser(&driver, 1280, "en-GB").await;
    sign_in(&doc, &base, "doc@a.example").await;
    doc.goto(&format!("{base}/patients/{id}/clinical/allergies"))
        .await
        .unwrap();
    fill(&doc, "#f-substance", "penicillin").await;
    fill(&doc, "#f-reaction", "anaphylaxis").await;
    click(&doc, "form[action$='/allergies'] button.primary").await;
    wait_text(&doc, ".chart-head", "penicillin").await;

    doc.goto(&format!("{base}/patients/{id}/clinical/diagnoses"))
        .await
        .unwrap();
    doc.find(Locator::Css("#f-q"))
        .await
        .unwrap()
        .send_keys("low back pain")
        .await
        .unwrap();
    wait_text(&doc, "#icd10-results", "M54.50").await;
    click(&doc, "#icd10-results input[value='M54.50']").await;
    click(&doc, "form[action$='/diagnoses'] button.primary").await;
    wait_text(&doc, "main", "The diagnosis was added.").await;
    wait_text(&doc, "main", "Low back pain, unspecified").await;

    doc.goto(&format!("{base}/patients/{id}/clinical/prescriptions"))
        .await
        .unwrap();
    fill(&doc, "#f-drug", "amoxicillin").await;
    fill(&doc, "#f-dose", "500").await;
    fill(&doc, "#f-dose_unit", "mg").await;
    fill(&doc, "#f-frequency", "every 8 hours").await;
    click(&doc, "button[value='prescribe']").await;
    let alert = wait_text(&doc, ".rx-alerts", "Prescribe anyway").await;
    assert!(alert.to_lowercase().contains("penicillin"), "{alert}");
    assert!(alert.contains("Source"), "{alert}");
    fill(&doc, "#f-override_reason", "Tolerated amoxicillin in 2024").await;
    click(&doc, "button[value='override']").await;
    wait_text(
        &doc,
        "main",
        "the alert override and its reason were recorded",
    )
    .await;
    wait_text(&doc, "main", "amoxicillin").await;
    doc.close().await.ok();
}
