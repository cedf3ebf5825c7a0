//! The anamnesis page as a browser without JavaScript drives it: a refused form keeps the
//! typed values with a translated message per field and saves nothing; a good one shows in the
//! current anamnesis; a secretary is refused.

use super::*;
use crate::http::web::{Browser, register, staff};

#[tokio::test]
async fn a_doctor_records_history_on_the_page() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let b = app.backend;
        staff(&app, "doc@a.example", "doctor").await;
        staff(&app, "desk@a.example", "secretary").await;
        let mut br = Browser::new(&app);
        br.sign_in("doc@a.example").await;
        let pid = register(&mut br, "Neri", "Carla", "1950-02-02").await;
        let page = format!("/patients/{pid}/anamnesis");

        let r = br.get(&page).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.text);
        assert!(r.text.contains("Family history"), "{b}");

        // Italian, with every problem of the family form at once.
        br.submit("/account", "/account/language", &[("language", "it")])
            .await;
        let action = format!("{page}/family");
        let r = br
            .submit(
                &page,
                &action,
                &[
                    ("family_relationship", "NEIGHBOUR"),
                    ("family_code", "Q99.99"),
                    ("family_onset_age", "two hundred"),
                    ("family_note", "zia paterna?"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.text
        );
        for msg in [
            "Scelga un familiare dall’elenco.",
            "Questo codice ICD-10 non esiste.",
            "Inserisca l’età in anni interi, da 0 a 130.",
        ] {
            assert!(r.text.contains(msg), "{b}: {msg}: {}", r.text);
        }
        assert!(
            r.text.contains("value=\"two hundred\""),
            "{b}: typed value kept"
        );
        assert!(r.text.contains("value=\"Q99.99\""), "{b}");
        assert_eq!(count(&app, "FamilyMemberHistory", &pid).await, 0, "{b}");

        let r = br
            .submit(
                &page,
                &format!("{page}/conditions"),
                &[
                    ("conditions_code", "E11.9"),
                    ("conditions_clinical_status", "active"),
                    ("conditions_onset", "2030"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(
            r.text.contains("La data non può essere futura."),
            "{b}: {}",
            r.text
        );

        let r = br
            .submit(
                &page,
                &action,
                &[
                    ("family_relationship", "FTH"),
                    ("family_code", "I21.9"),
                    ("family_onset_age", "61"),
                    ("family_deceased", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.text);
        let r = br.get(&page).await;
        assert!(r.text.contains("Padre"), "{b}: {}", r.text);
        assert!(
            r.text.contains("I21.9") && r.text.contains("all’età di 61 anni"),
            "{b}: {}",
            r.text
        );
        assert_eq!(count(&app, "FamilyMemberHistory", &pid).await, 1, "{b}");

        let mut desk = Browser::new(&app);
        desk.sign_in("desk@a.example").await;
        let r = desk.get(&page).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}: {}", r.text);
    }
}
