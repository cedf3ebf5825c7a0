//! The lab pages as a browser without JavaScript drives them: order from the catalogue, enter
//! results with per-field translated errors (typed values kept, nothing saved), read the report
//! with its flags, the trend chart and the doctor's critical results.

use super::*;
use crate::http::web::{Browser, register, staff};

#[tokio::test]
async fn a_doctor_orders_enters_results_and_sees_the_critical_value() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let b = app.backend;
        staff(&app, "doc@a.example", "doctor").await;
        let mut br = Browser::new(&app);
        br.sign_in("doc@a.example").await;
        let pid = register(&mut br, "Verdi", "Anna", "1958-04-04").await;

        let form_url = format!("/patients/{pid}/labs/order");
        let form = br.get(&form_url).await;
        assert_eq!(form.status, StatusCode::OK, "{b}: {}", form.text);
        assert!(form.text.contains("value=\"24331-1\""), "{b}");
        let r = br
            .submit(&form_url, &form_url, &[("priority", "routine")])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.text
        );
        assert!(
            r.text.contains("Choose at least one test")
                || r.text.contains("This field is required."),
            "{b}: {}",
            r.text
        );
        let r = br
            .submit(
                &form_url,
                &form_url,
                &[("test", "2345-7"), ("priority", "stat")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.text);
        let list = br.get(&format!("/patients/{pid}/labs")).await;
        let marker = format!("/patients/{pid}/labs/orders/");
        let at = list
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("{b}: {}", list.text));
        let rest = &list.text[at + marker.len()..];
        let oid = &rest[..rest.find('/').unwrap()];
        let entry = format!("/patients/{pid}/labs/orders/{oid}/results");

        let r = br
            .submit(
                &entry,
                &entry,
                &[("v.2345-7", "5,5"), ("u.2345-7", "mmol/L")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.text
        );
        assert!(
            r.text
                .contains("This unit cannot be converted; enter the value in mg/dL."),
            "{b}: {}",
            r.text
        );
        assert!(r.text.contains("value=\"5,5\""), "{b}: typed value kept");
        assert_eq!(count(&app, "Observation", &pid).await, 0, "{b}");

        let r = br
            .submit(
                &entry,
                &entry,
                &[("v.2345-7", "612"), ("u.2345-7", "mg/dL")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.text);
        let report = br.follow(r).await;
        assert_eq!(report.status, StatusCode::OK, "{b}: {}", report.text);
        assert!(
            report
                .text
                .contains("This report contains critical values."),
            "{b}"
        );
        assert!(report.text.contains("Critically high"), "{b}");

        let trend = br.get(&format!("/patients/{pid}/labs/trend/2345-7")).await;
        assert_eq!(trend.status, StatusCode::OK, "{b}: {}", trend.text);
        assert!(trend.text.contains("<svg class=\"lab-trend\""), "{b}");
        assert!(trend.text.contains("class=\"band\""), "{b}");
        assert!(
            trend.text.contains("fill=\"#c0392b\" class=\"flagged\""),
            "{b}"
        );

        let mine = br.get("/labs/critical").await;
        assert_eq!(mine.status, StatusCode::OK, "{b}: {}", mine.text);
        assert!(mine.text.contains("612"), "{b}");
    }
}
