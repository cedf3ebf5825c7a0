//! Every resource of the official FHIR R4 examples package is stored through the HTTP API and
//! read back equal, apart from `meta.versionId` / `meta.lastUpdated`, which the server owns.

use super::*;
use crate::support::worlds;

fn without_server_meta(mut v: Value) -> Value {
    if let Some(meta) = v.get_mut("meta").and_then(Value::as_object_mut) {
        meta.remove("versionId");
        meta.remove("lastUpdated");
        if meta.is_empty() {
            v.as_object_mut().map(|o| o.remove("meta"));
        }
    }
    v
}

#[tokio::test]
async fn official_examples_round_trip() {
    let Some(dir) = super::fhir_bundles::examples_dir() else {
        return;
    };
    let mut examples = Vec::new();
    for f in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".json") || name == "package.json" || name.starts_with('.') {
            continue;
        }
        let Ok(v) = serde_json::from_str::<Value>(&std::fs::read_to_string(f.path()).unwrap())
        else {
            continue;
        };
        if v.get("resourceType").and_then(Value::as_str).is_some()
            && v.get("id").and_then(Value::as_str).is_some()
        {
            examples.push((name, v));
        }
    }
    examples.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        examples.len() > 5_000,
        "the package holds the spec's examples ({})",
        examples.len()
    );
    // The backends run side by side: the machine has two cores and each run takes minutes.
    let examples = std::sync::Arc::new(examples);
    let runs = worlds().await.into_iter().map(|w| {
        let examples = examples.clone();
        tokio::spawn(async move { round_trip(w, &examples).await })
    });
    for run in runs.collect::<Vec<_>>() {
        run.await.expect("round trip task");
    }
}

async fn round_trip(w: crate::support::World, examples: &[(String, Value)]) {
    {
        let app = spawn_app_with_limit(&w, 64 << 20).await;
        let mut failed = Vec::new();
        for (name, v) in examples {
            let (t, id) = (
                v["resourceType"].as_str().unwrap(),
                v["id"].as_str().unwrap(),
            );
            let put = send(app.put(&format!("{t}/{id}"), v)).await;
            if !put.status.is_success() {
                failed.push(format!(
                    "{name}: PUT {} {}",
                    put.status,
                    put.outcome_diagnostics()
                ));
                continue;
            }
            let got = app.get(&format!("{t}/{id}")).await;
            if got.status != StatusCode::OK {
                failed.push(format!("{name}: GET {}", got.status));
                continue;
            }
            if without_server_meta(got.json()) != without_server_meta(v.clone()) {
                failed.push(format!("{name}: read back differs"));
            }
        }
        println!(
            "{}: {} of {} official examples stored and read back equal",
            app.backend,
            examples.len() - failed.len(),
            examples.len()
        );
        // One example of the specification breaks its own id rule (65 characters, at most 64 are
        // allowed): it must be refused, saying so.
        assert_eq!(failed.len(), 1, "{}: {failed:#?}", app.backend);
        assert!(
            failed[0].starts_with("SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json: PUT 400")
                && failed[0].contains("ids are 1-64 characters"),
            "{}: {failed:#?}",
            app.backend
        );
    }
}
