//! Diagnoses with the ICD-10 search (by words and by code), the problem list with resolve;
//! allergies; prescriptions refused with their alerts, then prescribed anyway with a reason.

use super::*;

#[tokio::test]
async fn diagnoses_are_found_by_words_added_and_resolved() {
    for world in crate::support::worlds().await {
        let app = spawn_app(&world).await;
        let (mut b, id) = doctor_with_patient(&app).await;
        let r = b.get("/clinical/icd10?q=low+back+pain").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.text.contains(r#"value="M54.50""#) && !r.text.contains("<html"),
            "{}",
            r.text
        );
        // Without JavaScript the page itself answers the search.
        let page = format!("/patients/{id}/clinical/diagnoses");
        let r = b.get(&format!("{page}?q=low+back+pain")).await;
        assert!(r.text.contains(r#"value="M54.50""#), "{}", r.text);
        // An unknown code is refused beside the search box, nothing saved.
        let r = b.submit(&page, &page, &[("q", "M99.99")]).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {}",
            app.backend,
            r.text
        );
        assert!(
            r.text.contains("This code is not in ICD-10-CM"),
            "{}",
            r.text
        );
        let r = b.submit(&page, &page, &[("q", "x1")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(count(&app, "Condition", &id).await, 0);
        let r = b
            .submit(&page, &page, &[("q", "low back pain"), ("code", "M54.50")])
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            r.text
        );
        let r = b.follow(r).await;
        assert!(
            r.text.contains("M54.50") && r.text.contains("Low back pain, unspecified"),
            "{}",
            r.text
        );
        let at = r.text.find("/clinical/diagnoses/").unwrap();
        let action = r.text[at..].split('"').next().unwrap().to_owned();
        let r = b
            .submit(
                &page,
                &format!("/patients/{id}{action}"),
                &[("clinical_status", "resolved")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            r.text
        );
        let r = b.follow(r).await;
        let resolved = r.text.split("Resolved problems").nth(1).unwrap();
        assert!(resolved.contains("M54.50"), "{}", r.text);
    }
}

#[tokio::test]
async fn an_allergic_patient_triggers_the_alert_and_the_override_needs_a_reason() {
    for world in crate::support::worlds().await {
        let app = spawn_app(&world).await;
        let (mut b, id) = doctor_with_patient(&app).await;
        let allergies = format!("/patients/{id}/clinical/allergies");
        let r = b
            .submit(
                &allergies,
                &allergies,
                &[("substance", ""), ("severity", "severe")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("This field is required."), "{}", r.text);
        let r = b
            .submit(
                &allergies,
                &allergies,
                &[
                    ("substance", "penicillin"),
                    ("criticality", "high"),
                    ("reaction", "anaphylaxis"),
                    ("severity", "severe"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            r.text
        );
        let r = b.follow(r).await;
        assert!(
            r.text.contains("penicillin") && r.text.contains("anaphylaxis"),
            "{}",
            r.text
        );

        let rx = format!("/patients/{id}/clinical/prescriptions");
        let fields = [
            ("drug", "amoxicillin"),
            ("dose", "500"),
            ("dose_unit", "mg"),
            ("route", "oral"),
            ("frequency", "every 8 hours"),
            ("duration_days", "7"),
        ];
        // Bad input first: per field, nothing saved.
        let r = b
            .submit(
                &rx,
                &rx,
                &[
                    ("drug", "amoxicillin"),
                    ("dose", "-1"),
                    ("dose_unit", "mg"),
                    ("frequency", ""),
                    ("duration_days", "a week"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        for text in ["Enter a whole number.", "This field is required."] {
            assert!(r.text.contains(text), "{text}: {}", r.text);
        }
        let r = b
            .submit(
                &rx,
                &rx,
                &[
                    ("drug", "amoxicillin"),
                    ("dose", "-1"),
                    ("dose_unit", "mg"),
                    ("frequency", "daily"),
                ],
            )
            .await;
        assert!(
            r.text.contains("The dose must be greater than zero."),
            "{}",
            r.text
        );
        // The allergy alert: shown with severity and source, nothing saved.
        let r = b.submit(&rx, &rx, &fields).await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{}: {}",
            app.backend,
            r.text
        );
        assert!(
            r.text.contains("Prescribing alerts") && r.text.contains("Prescribe anyway"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains("Source:") && r.text.to_lowercase().contains("penicillin"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains(r#"value="amoxicillin""#),
            "typed values kept: {}",
            r.text
        );
        assert_eq!(count(&app, "MedicationRequest", &id).await, 0);
        // Prescribing anyway without a reason is refused, with the alerts still shown.
        let mut anyway: Vec<(&str, &str)> = fields.to_vec();
        anyway.push(("action", "override"));
        let r = b.submit(&rx, &rx, &anyway).await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{}: {}",
            app.backend,
            r.text
        );
        assert!(
            r.text.contains("Give the reason for overriding the alert."),
            "{}",
            r.text
        );
        assert_eq!(count(&app, "MedicationRequest", &id).await, 0);
        anyway.push((
            "override_reason",
            "Tolerated amoxicillin in 2024 under supervision",
        ));
        let r = b.submit(&rx, &rx, &anyway).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            r.text
        );
        let r = b.follow(r).await;
        assert!(
            r.text
                .contains("the alert override and its reason were recorded")
                && r.text.contains("amoxicillin"),
            "{}",
            r.text
        );
        assert_eq!(count(&app, "MedicationRequest", &id).await, 1);
        let issues = app
            .store
            .search(
                &app.tenant_a,
                "DetectedIssue",
                &[("patient".into(), id.clone())],
            )
            .await
            .unwrap();
        assert_eq!(
            issues.resources.len(),
            1,
            "{}: the override is recorded",
            app.backend
        );
        let issue = String::from_utf8_lossy(&issues.resources[0].json).to_string();
        assert!(issue.contains("Tolerated amoxicillin in 2024"), "{issue}");
        // Stop it.
        let at = r.text.find("/clinical/prescriptions/").unwrap();
        let action = r.text[at..].split('"').next().unwrap().to_owned();
        let r = b.submit(&rx, &format!("/patients/{id}{action}"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = b.follow(r).await;
        assert!(
            r.text.contains("The prescription was stopped."),
            "{}",
            r.text
        );
    }
}
