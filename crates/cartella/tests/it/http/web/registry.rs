//! The patient registry and chart pages: register, find, open, edit; inline errors; duplicate
//! warning; stale edits; hostile names shown as text; alerts in the chart header; merge.

use super::*;
use serde_json::json;

#[tokio::test]
async fn register_find_open_and_edit_a_patient() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        staff(&app, "sec@a.example", "secretary").await;
        let mut b = Browser::new(&app);
        b.sign_in("sec@a.example").await;
        let id = register(&mut b, "Rossini", "Giulia", "1980-02-07").await;
        for q in ["ross", "Rossini Giu", "07/02/1980", "1980-02-07"] {
            let r = b
                .get(&format!(
                    "/patients?q={}",
                    q.replace(' ', "+").replace('/', "%2F")
                ))
                .await;
            assert!(
                r.text.contains(&format!("/patients/{id}")),
                "{}: '{q}' finds the patient: {}",
                app.backend,
                r.text
            );
        }
        let r = b.get("/patients?q=bian").await;
        assert!(!r.text.contains(&format!("/patients/{id}")));
        // The global search box answers with a fragment, not a page.
        let r = b.get("/patients/search?q=giu").await;
        assert!(
            r.text.contains("Rossini, Giulia") && !r.text.contains("<html"),
            "{}",
            r.text
        );
        let chart = b.get(&format!("/patients/{id}")).await;
        assert_eq!(chart.status, StatusCode::OK);
        assert!(
            chart.text.contains("Rossini, Giulia") && chart.text.contains("07/02/1980"),
            "{}",
            chart.text
        );
        assert!(chart.text.contains("No known allergies"));
        assert!(
            chart.text.contains("Patient registered"),
            "the timeline shows the registration"
        );
        let edit = b.get(&format!("/patients/{id}/edit")).await;
        let version = hidden(&edit.text, "version").unwrap();
        let r = b
            .submit(
                &format!("/patients/{id}/edit"),
                &format!("/patients/{id}/edit"),
                &[
                    ("family", "Rossini"),
                    ("given", "Giulia"),
                    ("birth_date", "07/02/1980"),
                    ("sex", "female"),
                    ("phone", "+39 06 1234567"),
                    ("version", &version),
                ],
            )
            .await;
        assert_eq!(
            r.header("location"),
            Some(format!("/patients/{id}?notice=saved").as_str()),
            "{}: {}",
            app.backend,
            r.text
        );
        let details = b.get(&format!("/patients/{id}/details")).await;
        assert!(details.text.contains("+39 06 1234567"), "{}", details.text);
        // The same patient through the FHIR API.
        let fhir = send(
            app.client
                .get(app.url(&format!("/fhir/R4/Patient/{id}")))
                .bearer_auth(TOKEN)
                .header(TENANT_HEADER_NAME, TENANT_A),
        )
        .await;
        assert_eq!(fhir.json()["meta"]["versionId"], "2", "{}", fhir.text);
    }
}

pub const TENANT_HEADER_NAME: &str = "x-cartella-tenant";

#[tokio::test]
async fn every_field_problem_is_shown_next_to_its_field_and_input_is_kept() {
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    staff(&app, "sec@a.example", "secretary").await;
    let mut b = Browser::new(&app);
    b.sign_in("sec@a.example").await;
    let r = b
        .submit(
            "/patients/new",
            "/patients/new",
            &[
                ("family", "Verdi"),
                ("given", ""),
                ("birth_date", "2999-01-01"),
                ("email", "not-an-email"),
                ("identifiers[0].system", "http://hl7.it/sid/codiceFiscale"),
                ("identifiers[0].value", "RSSMRA80A01H501X"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "This field is required.",
        "The date cannot be in the future.",
        "Enter a valid e-mail address.",
        "This codice fiscale is not valid",
    ] {
        assert!(r.text.contains(msg), "missing '{msg}': {}", r.text);
    }
    assert!(r.text.contains("id=\"e-given\"") && r.text.contains("aria-invalid=\"true\""));
    assert!(
        r.text.contains("value=\"Verdi\"")
            && r.text.contains("value=\"not-an-email\"")
            && r.text.contains("RSSMRA80A01H501X")
    );
    let list = b.get("/patients?status=all").await;
    assert!(!list.text.contains("Verdi"), "nothing saved");
}

#[tokio::test]
async fn a_possible_duplicate_is_shown_before_it_is_registered() {
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    staff(&app, "sec@a.example", "secretary").await;
    let mut b = Browser::new(&app);
    b.sign_in("sec@a.example").await;
    let first = register(&mut b, "Ferri", "Marco", "1975-05-05").await;
    let fields = [
        ("family", "FERRI"),
        ("given", "marco"),
        ("birth_date", "05/05/1975"),
        ("sex", "male"),
    ];
    let r = b.submit("/patients/new", "/patients/new", &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(
        r.text.contains(&format!("/patients/{first}")) && r.text.contains("confirm_duplicate"),
        "{}",
        r.text
    );
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm_duplicate", "1"));
    let r = b.submit("/patients/new", "/patients/new", &confirmed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
}

#[tokio::test]
async fn an_edit_of_a_stale_version_is_refused_with_who_and_when() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        staff(&app, "sec@a.example", "secretary").await;
        staff(&app, "nurse@a.example", "nurse").await;
        let mut sec = Browser::new(&app);
        sec.sign_in("sec@a.example").await;
        let id = register(&mut sec, "Neri", "Paola", "1990-10-10").await;
        let mut nurse = Browser::new(&app);
        nurse.sign_in("nurse@a.example").await;
        let path = format!("/patients/{id}/edit");
        let nurse_form = nurse.get(&path).await;
        let stale = hidden(&nurse_form.text, "version").unwrap();
        let r = sec
            .submit(
                &path,
                &path,
                &[
                    ("family", "Neri"),
                    ("given", "Paola"),
                    ("birth_date", "1990-10-10"),
                    ("sex", "female"),
                    ("phone", "+39 06 1110001"),
                    ("version", &stale),
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
        let csrf = hidden(&nurse_form.text, "_csrf").unwrap();
        let r = nurse
            .post(
                &path,
                &[
                    ("family", "Neri"),
                    ("given", "Paola"),
                    ("birth_date", "1990-10-10"),
                    ("sex", "female"),
                    ("phone", "+39 06 2220002"),
                    ("version", &stale),
                    ("_csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{}: {}",
            app.backend,
            r.text
        );
        assert!(
            r.text.contains("Staff secretary"),
            "names who changed it: {}",
            r.text
        );
        assert!(
            r.text.contains("2220002"),
            "the refused edit is shown, not lost"
        );
        let details = sec.get(&format!("/patients/{id}/details")).await;
        assert!(details.text.contains("1110001") && !details.text.contains("2220002"));
    }
}

#[tokio::test]
async fn a_hostile_name_is_shown_as_text_everywhere() {
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    staff(&app, "sec@a.example", "secretary").await;
    let mut b = Browser::new(&app);
    b.sign_in("sec@a.example").await;
    let evil = "<img src=x onerror=alert(1)>";
    let id = register(&mut b, evil, "Mallory", "1970-01-01").await;
    for path in [
        format!("/patients/{id}"),
        "/patients?status=all".to_owned(),
        "/patients/search?q=mallory".to_owned(),
        format!("/patients/{id}/edit"),
        "/".to_owned(),
    ] {
        let r = b.get(&path).await;
        assert!(
            !r.text.contains("<img src=x"),
            "{path} renders markup: {}",
            r.text
        );
        if path != "/" {
            assert!(
                r.text.contains("&lt;img src=x onerror=alert(1)&gt;"),
                "{path} shows the name as text: {}",
                r.text
            );
        }
    }
}

#[tokio::test]
async fn allergies_and_flags_are_always_in_the_chart_header() {
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    staff(&app, "doc@a.example", "doctor").await;
    let mut b = Browser::new(&app);
    b.sign_in("doc@a.example").await;
    let id = register(&mut b, "Galli", "Anna", "1950-03-03").await;
    let allergy = json!({"resourceType": "AllergyIntolerance", "patient": {"reference": format!("Patient/{id}")},
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]},
        "criticality": "high", "code": {"text": "Penicillin"}});
    app.store
        .create(
            &app.tenant_a,
            "AllergyIntolerance",
            allergy,
            Default::default(),
        )
        .await
        .unwrap();
    let flag = json!({"resourceType": "Flag", "status": "active", "subject": {"reference": format!("Patient/{id}")}, "code": {"text": "Fall risk"}});
    app.store
        .create(&app.tenant_a, "Flag", flag, Default::default())
        .await
        .unwrap();
    for tab in ["", "/details", "/clinical"] {
        let r = b.get(&format!("/patients/{id}{tab}")).await;
        assert!(
            r.text.contains("Penicillin")
                && r.text.contains("high risk")
                && r.text.contains("Fall risk"),
            "{tab}: {}",
            r.text
        );
    }
    let r = b.get(&format!("/patients/{id}?type=allergy")).await;
    assert!(
        r.text.contains("Penicillin") && !r.text.contains("Patient registered"),
        "the kind filter: {}",
        r.text
    );
    let r = b
        .get(&format!("/patients/{id}?from=2030-01-01&to=2020-01-01"))
        .await;
    assert!(
        r.text
            .contains("The start date must be before the end date.")
    );
}

#[tokio::test]
async fn only_an_administrator_merges_duplicates() {
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    staff(&app, "doc@a.example", "doctor").await;
    staff(&app, "boss@a.example", "administrator").await;
    let mut admin = Browser::new(&app);
    admin.sign_in("boss@a.example").await;
    let keep = register(&mut admin, "Conti", "Elena", "1965-06-06").await;
    let dup = {
        let r = admin
            .submit(
                "/patients/new",
                "/patients/new",
                &[
                    ("family", "Conti"),
                    ("given", "Elena"),
                    ("birth_date", "1965-06-06"),
                    ("sex", "female"),
                    ("phone", "+39 333 4445555"),
                    ("confirm_duplicate", "1"),
                ],
            )
            .await;
        r.header("location")
            .unwrap()
            .trim_start_matches("/patients/")
            .to_owned()
    };
    let mut doc = Browser::new(&app);
    doc.sign_in("doc@a.example").await;
    assert_eq!(
        doc.get(&format!("/patients/{dup}/merge")).await.status,
        StatusCode::FORBIDDEN
    );
    let r = admin
        .submit(
            &format!("/patients/{dup}/merge"),
            &format!("/patients/{dup}/merge"),
            &[("into", &keep)],
        )
        .await;
    assert_eq!(
        r.header("location"),
        Some(format!("/patients/{keep}?notice=merged").as_str()),
        "{}",
        r.text
    );
    let details = admin.get(&format!("/patients/{keep}/details")).await;
    assert!(
        details.text.contains("4445555"),
        "the phone moved to the kept record: {}",
        details.text
    );
    let old = admin.get(&format!("/patients/{dup}")).await;
    assert!(old.text.contains("Inactive"));
}
