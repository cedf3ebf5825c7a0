//! Authentication on the FHIR surface: the bearer token and the practice header.

use super::*;
use crate::support::worlds;

#[tokio::test]
async fn missing_or_wrong_token_is_401() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let id = app
            .create_id("Patient", &patient("Chiuso", "Ivo", "1970-03-03", "MRN-A1"))
            .await;
        let before = app.all_versions().await;
        let url = app.fhir_url(&format!("Patient/{id}"));
        let body = patient("Intruso", "X", "1999-09-09", "MRN-X").to_string();

        let cases: Vec<(&str, RequestBuilder)> = vec![
            (
                "no token",
                app.client.get(&url).header("X-Cartella-Tenant", TENANT_A),
            ),
            (
                "wrong token",
                app.client
                    .get(&url)
                    .bearer_auth("wrong-token-wrong-token-wrong-token-wrong")
                    .header("X-Cartella-Tenant", TENANT_A),
            ),
            (
                "token prefix only",
                app.client
                    .get(&url)
                    .bearer_auth(&TOKEN[..TOKEN.len() - 1])
                    .header("X-Cartella-Tenant", TENANT_A),
            ),
            (
                "not a bearer scheme",
                app.client
                    .get(&url)
                    .header("Authorization", format!("Basic {TOKEN}"))
                    .header("X-Cartella-Tenant", TENANT_A),
            ),
            (
                "create without token",
                app.client
                    .post(app.fhir_url("Patient"))
                    .header("X-Cartella-Tenant", TENANT_A)
                    .header("Content-Type", "application/fhir+json")
                    .body(body.clone()),
            ),
            (
                "create with wrong token",
                app.client
                    .post(app.fhir_url("Patient"))
                    .bearer_auth("wrong-token-wrong-token-wrong-token-wrong")
                    .header("X-Cartella-Tenant", TENANT_A)
                    .header("Content-Type", "application/fhir+json")
                    .body(body.clone()),
            ),
            (
                "search without token",
                app.client
                    .get(app.fhir_url("Patient?name=Chi"))
                    .header("X-Cartella-Tenant", TENANT_A),
            ),
        ];
        for (case, req) in cases {
            let r = send(req).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name}: {case}: {r:?}");
            let diagnostics = r.outcome_diagnostics();
            assert!(
                diagnostics.contains("token"),
                "{name}: {case}: diagnostics should name the token: {diagnostics}"
            );
            assert!(
                !r.text.contains("Chiuso"),
                "{name}: {case}: the 401 reveals data"
            );
        }
        assert_eq!(
            app.all_versions().await,
            before,
            "{name}: an unauthenticated request wrote something"
        );
    }
}

#[tokio::test]
async fn tenant_header_missing_is_400_and_unknown_is_403() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let id = app
            .create_id("Patient", &patient("Chiuso", "Ivo", "1970-03-03", "MRN-A2"))
            .await;
        let before = app.all_versions().await;
        let url = app.fhir_url(&format!("Patient/{id}"));

        let r = send(app.client.get(&url).bearer_auth(TOKEN)).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{name}: missing tenant header: {r:?}"
        );
        let diagnostics = r.outcome_diagnostics().to_lowercase();
        assert!(
            diagnostics.contains("x-cartella-tenant"),
            "{name}: diagnostics should name the header: {diagnostics}"
        );

        for tenant in ["clinic-z", "no-such-practice"] {
            let r = app.get_as(tenant, &format!("Patient/{id}")).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{name}: unknown tenant {tenant}: {r:?}"
            );
            r.outcome_diagnostics();
            assert!(!r.text.contains("Chiuso"), "{name}: the 403 reveals data");
            let r = send(
                app.request_as(tenant, Method::POST, "Patient")
                    .header("Content-Type", "application/fhir+json")
                    .body(patient("Intruso", "X", "1999-09-09", "MRN-X").to_string()),
            )
            .await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{name}: create in unknown tenant {tenant}: {r:?}"
            );
        }
        assert_eq!(
            app.all_versions().await,
            before,
            "{name}: a refused request wrote something"
        );

        // The ops endpoints need no credentials.
        app.assert_healthy("auth failures").await;
    }
}
