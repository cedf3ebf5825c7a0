//! The examination pages as a browser without JavaScript drives them: choose a template, get
//! per-item translated errors with the typed values kept, save, read the answers back; the
//! administrators' JSON editor with precise structure errors.

use super::*;
use crate::http::web::{Browser, hidden, register, staff};

#[tokio::test]
async fn a_doctor_fills_a_template_and_reads_it_back() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let b = app.backend;
        staff(&app, "doc@a.example", "doctor").await;
        let mut br = Browser::new(&app);
        br.sign_in("doc@a.example").await;
        let pid = register(&mut br, "Verdi", "Anna", "1958-04-04").await;

        let page = br.get(&format!("/patients/{pid}/exams")).await;
        assert_eq!(page.status, StatusCode::OK, "{b}: {}", page.text);
        assert!(
            page.text
                .contains(&format!("/patients/{pid}/exams/new/exam-pain")),
            "{b}"
        );
        let form_url = format!("/patients/{pid}/exams/new/exam-pain");
        let form = br.get(&form_url).await;
        assert_eq!(form.status, StatusCode::OK, "{b}: {}", form.text);
        assert!(form.text.contains("name=\"a.nrs-now\""), "{b}");
        assert!(form.text.contains("exams.js"), "{b}");
        // The details only apply with pain: hidden until NRS > 0.
        assert!(
            form.text.contains("data-link=\"pain-details\" data-when="),
            "{b}"
        );
        assert!(
            form.text.contains("hidden>\n    <legend>Pain details"),
            "{b}: {}",
            form.text
        );

        let r = br
            .submit(
                &form_url,
                &form_url,
                &[("a.nrs-now", "12"), ("a.site", "left knee")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.text
        );
        assert!(
            r.text.contains("The largest accepted value is 10."),
            "{b}: {}",
            r.text
        );
        assert!(
            r.text.contains("value=\"12\""),
            "{b}: the typed value is kept"
        );
        assert_eq!(count(&app, "QuestionnaireResponse", &pid).await, 0, "{b}");

        let r = br
            .submit(
                &form_url,
                &form_url,
                &[
                    ("a.nrs-now", "6"),
                    ("a.site", "left knee"),
                    ("a.character", "burning"),
                    ("a.character", "stabbing"),
                    ("a.radiates", "false"),
                    ("a.radiates-to", "hidden answer"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.text);
        let view = br.follow(r).await;
        assert_eq!(view.status, StatusCode::OK, "{b}");
        for text in ["Pain assessment", "left knee", "Burning, Stabbing", "No"] {
            assert!(view.text.contains(text), "{b}: {text} in {}", view.text);
        }
        assert!(!view.text.contains("hidden answer"), "{b}");
        let list = br.get(&format!("/patients/{pid}/exams")).await;
        assert!(
            list.text.contains("/exams/0"),
            "{b}: the saved examination is listed"
        );

        // Not an administrator: no template editor.
        let r = br.get("/admin/exam-templates").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}");
    }
}

#[tokio::test]
async fn the_template_editor_names_each_problem() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let b = app.backend;
        staff(&app, "admin@a.example", "administrator").await;
        let mut br = Browser::new(&app);
        br.sign_in("admin@a.example").await;
        let list = br.get("/admin/exam-templates").await;
        assert_eq!(list.status, StatusCode::OK, "{b}: {}", list.text);
        assert!(list.text.contains("Periodontal screening (BPE/PSR)"), "{b}");
        let edit = br.get("/admin/exam-templates/exam-pain").await;
        assert!(
            edit.text
                .contains("&quot;linkId&quot;: &quot;nrs-now&quot;"),
            "{b}"
        );
        let version = hidden(&edit.text, "version").unwrap();
        assert_eq!(version, "1", "{b}");

        let r = br
            .submit(
                "/admin/exam-templates/new",
                "/admin/exam-templates/new",
                &[("json", "{\"resourceType\": ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(r.text.contains("not valid JSON (line 1"), "{b}: {}", r.text);
        let bad = r#"{"resourceType":"Questionnaire","status":"active","title":"Gait","item":[{"linkId":"a","text":"A","type":"slider"}]}"#;
        let r = br
            .submit(
                "/admin/exam-templates/new",
                "/admin/exam-templates/new",
                &[("json", bad)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(
            r.text.contains("item[0].type: type must be one of"),
            "{b}: {}",
            r.text
        );
        let good = bad.replace("slider", "boolean");
        let r = br
            .submit(
                "/admin/exam-templates/new",
                "/admin/exam-templates/new",
                &[("json", &good)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.text);
        let list = br.get("/admin/exam-templates").await;
        assert!(list.text.contains("Gait"), "{b}");
    }
}
