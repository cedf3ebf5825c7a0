//! `cartella bench chart`: one patient with ten years of history on SQLite (visits every
//! ~12 days with a full set of vitals, daily home readings of blood pressure or weight,
//! problems, prescriptions, allergies; ≥ 5,000 Observations and 300 Encounters), then the
//! chart page (timeline), the clinical tab and a vitals chart page under several concurrent
//! signed-in sessions over real HTTP. Prints p50/p95 against the targets; asserts nothing.

use super::bench_fhir::stats::Histogram;
use cartella_auth::service::{LoginRequest, NewUser};
use cartella_auth::{Auth, AuthConfig};
use cartella_core::TenantSlug;
use cartella_server::{AppState, ServerConfig};
use cartella_store::crypto::MasterKey;
use cartella_store::{AccessContext, Store, StoreOptions};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Bench-Password-42!";
const LOINC: &str = "http://loinc.org";
const DAY: i64 = 86_400;

use super::bench_web::next;

/// `start + secs` (Unix seconds) as an RFC 3339 instant (days to civil date: Howard Hinnant's
/// algorithm; no date crate is a dependency of this binary).
fn at(start: i64, secs: i64) -> String {
    let t = start + secs;
    let (days, rem) = (t.div_euclid(DAY), t.rem_euclid(DAY));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn quantity(code: &str, display: &str, value: f64, unit: &str, range: (f64, f64)) -> Value {
    let flag = if value > range.1 {
        "H"
    } else if value < range.0 {
        "L"
    } else {
        "N"
    };
    json!({
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
        "interpretation": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": flag}]}],
        "referenceRange": [{"low": {"value": range.0, "unit": unit}, "high": {"value": range.1, "unit": unit}}],
    })
}

/// A vital-sign Observation in the shape the clinical services write.
fn observation(patient: &str, encounter: Option<&str>, when: &str, parts: Value) -> Value {
    let mut o = json!({
        "resourceType": "Observation", "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
        "subject": {"reference": format!("Patient/{patient}")},
        "effectiveDateTime": when,
    });
    if let (Value::Object(o), Value::Object(p)) = (&mut o, parts) {
        o.extend(p);
    }
    if let Some(e) = encounter {
        o["encounter"] = json!({"reference": format!("Encounter/{e}")});
    }
    o
}

fn bp(patient: &str, encounter: Option<&str>, when: &str, sys: f64, dia: f64) -> Value {
    let parts = json!({
        "code": {"coding": [{"system": LOINC, "code": "85354-9", "display": "Blood pressure panel"}]},
        "component": [
            quantity("8480-6", "Systolic blood pressure", sys, "mm[Hg]", (100.0, 139.0)),
            quantity("8462-4", "Diastolic blood pressure", dia, "mm[Hg]", (60.0, 89.0)),
        ],
    });
    observation(patient, encounter, when, parts)
}

async fn import(
    store: &Store,
    ctx: &AccessContext,
    items: Vec<(String, Value)>,
) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::with_capacity(items.len());
    for chunk in items.chunks(500) {
        ids.extend(
            store
                .import(ctx, chunk.to_vec())
                .await?
                .into_iter()
                .map(|r| r.id),
        );
    }
    Ok(ids)
}

/// Ten years of one patient's history; returns the patient id and the Observation count.
async fn history(store: &Store, ctx: &AccessContext) -> anyhow::Result<(String, usize)> {
    let patient = json!({"resourceType": "Patient", "active": true, "gender": "female",
        "name": [{"family": "Storico", "given": ["Paola"]}], "birthDate": "1955-03-08"});
    let id = import(store, ctx, vec![("Patient".into(), patient)])
        .await?
        .remove(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let start = now - 3_650 * DAY;
    let mut seed = 0x5EED_u64;
    let mut noise = |spread: u64| (next(&mut seed) % (spread * 2 + 1)) as f64 - spread as f64;
    let encounters: Vec<(String, Value)> = (0..300)
        .map(|i| {
            let s = at(start, i * 12 * DAY + 9 * 3600);
            let e = at(start, i * 12 * DAY + 9 * 3600 + 1200);
            ("Encounter".into(), json!({"resourceType": "Encounter", "status": "finished",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
                "subject": {"reference": format!("Patient/{id}")}, "period": {"start": s, "end": e},
                "reasonCode": [{"text": "Follow-up"}]}))
        })
        .collect();
    let enc_ids = import(store, ctx, encounters).await?;
    let mut obs = Vec::new();
    for (i, e) in enc_ids.iter().enumerate() {
        let when = at(start, i as i64 * 12 * DAY + 9 * 3600 + 600);
        let e = Some(e.as_str());
        obs.push(bp(&id, e, &when, 135.0 + noise(20), 82.0 + noise(10)));
        for (code, name, base, spread, unit, range) in [
            ("8867-4", "Heart rate", 74.0, 15, "/min", (60.0, 100.0)),
            ("8310-5", "Body temperature", 36.7, 1, "Cel", (36.1, 37.8)),
            ("29463-7", "Body weight", 72.0, 4, "kg", (0.0, 500.0)),
            ("59408-5", "Oxygen saturation", 97.0, 3, "%", (95.0, 100.0)),
            ("9279-1", "Respiratory rate", 15.0, 4, "/min", (12.0, 20.0)),
        ] {
            let v = base + noise(spread);
            obs.push(observation(
                &id,
                e,
                &when,
                quantity(code, name, v, unit, range),
            ));
        }
    }
    // Home readings: blood pressure every day, weight every other day.
    for d in 0..3_650 {
        let when = at(start, d * DAY + 7 * 3600);
        if d % 2 == 0 {
            obs.push(bp(&id, None, &when, 132.0 + noise(18), 80.0 + noise(9)));
        } else {
            let w = 72.0 + noise(3);
            obs.push(observation(
                &id,
                None,
                &when,
                quantity("29463-7", "Body weight", w, "kg", (0.0, 500.0)),
            ));
        }
    }
    let n = obs.len();
    import(
        store,
        ctx,
        obs.into_iter().map(|o| ("Observation".into(), o)).collect(),
    )
    .await?;
    let mut rest: Vec<(String, Value)> = Vec::new();
    for (i, code) in ["I10", "E11.9", "M54.50", "E78.5", "J45.909"]
        .iter()
        .enumerate()
    {
        rest.push(("Condition".into(), json!({"resourceType": "Condition",
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": if i < 3 { "active" } else { "resolved" }}]},
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "problem-list-item"}]}],
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code}], "text": code},
            "subject": {"reference": format!("Patient/{id}")}, "recordedDate": at(start, i as i64 * 400 * DAY)})));
    }
    for (i, drug) in ["ramipril", "metformin", "atorvastatin"].iter().enumerate() {
        rest.push(("MedicationRequest".into(), json!({"resourceType": "MedicationRequest", "status": "active", "intent": "order",
            "medicationCodeableConcept": {"text": drug}, "subject": {"reference": format!("Patient/{id}")},
            "authoredOn": at(start, i as i64 * 700 * DAY),
            "dosageInstruction": [{"text": "once daily", "route": {"text": "oral"}, "timing": {"code": {"text": "once daily"}}}]})));
    }
    rest.push(("AllergyIntolerance".into(), json!({"resourceType": "AllergyIntolerance",
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]},
        "criticality": "high", "code": {"text": "penicillin"}, "patient": {"reference": format!("Patient/{id}")}})));
    import(store, ctx, rest).await?;
    Ok((id, n))
}

fn report(name: &str, target_ms: Option<f64>, (h, errors, secs): (Histogram, u64, f64)) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p95 = ms(h.quantile(0.95));
    let verdict = match target_ms {
        Some(t) if p95 < t => format!("  target p95 < {t} ms: met"),
        Some(t) => format!("  target p95 < {t} ms: MISSED"),
        None => String::new(),
    };
    println!(
        "{name:<34} {:>6.0} req/s  p50 {:>7.2} ms  p95 {:>7.2} ms  ({} ok, {errors} errors){verdict}",
        h.count() as f64 / secs,
        ms(h.quantile(0.5)),
        p95,
        h.count()
    );
}

pub async fn run(sessions: usize, seconds: u64) -> anyhow::Result<std::process::ExitCode> {
    let dir = std::env::temp_dir().join(format!("cartella-bench-chart-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let backend = Arc::new(cartella_store_sqlite::SqliteBackend::open(
        &dir.join("bench.db"),
        8,
    )?);
    let store = Store::open(backend, MasterKey::generate(), StoreOptions::default()).await?;
    let tenant = store
        .create_tenant(&TenantSlug::parse("bench")?, "Studio Bench", "bench")
        .await?;
    let ctx = AccessContext::system(tenant.id.clone(), "bench");
    let t = Instant::now();
    let (id, n) = history(&store, &ctx).await?;
    println!(
        "loaded one patient with 10 years of history: {n} Observations, 300 Encounters, problems, prescriptions, an allergy in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let auth = Auth::new(
        store.clone(),
        AuthConfig {
            login_per_ip_per_minute: 0,
            login_per_identifier_per_minute: 0,
            per_client_per_hour: 0,
            ..Default::default()
        },
    )
    .await?;
    let mut cookies = Vec::with_capacity(sessions);
    for s in 0..sessions {
        let email = format!("doc{s}@bench.test");
        let new = NewUser {
            email: email.clone(),
            name: format!("Doctor {s}"),
            roles: "doctor".into(),
            password: Some(PASSWORD.into()),
            patient_id: None,
            expires_at: None,
        };
        auth.create_user(&ctx, new)
            .await
            .map_err(super::user::explain)?;
        let login = auth
            .login(LoginRequest {
                email,
                password: PASSWORD.into(),
                practice: None,
                client_ip: None,
                user_agent: None,
            })
            .await
            .map_err(super::user::explain)?;
        cookies.push(format!("cartella_session={}", login.cookie));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = AppState {
        store: store.clone(),
        auth,
        config: Arc::new(ServerConfig {
            max_body_bytes: 1 << 20,
            service_token: None,
            public_url: base.clone(),
        }),
        started: Instant::now(),
    };
    tokio::spawn(cartella_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    println!(
        "{sessions} concurrent sessions, {seconds} s per page, SQLite, server and load on this machine"
    );
    let pages: [(&str, String, Option<f64>); 5] = [
        (
            "chart page (timeline)",
            format!("/patients/{id}"),
            Some(100.0),
        ),
        (
            "clinical tab",
            format!("/patients/{id}/clinical"),
            Some(100.0),
        ),
        (
            "vitals chart systolic, 1 year",
            format!("/patients/{id}/clinical/vitals/systolic?range=1y"),
            Some(50.0),
        ),
        (
            "vitals chart weight, 3 months",
            format!("/patients/{id}/clinical/vitals/weight?range=3m"),
            Some(50.0),
        ),
        (
            "vitals chart systolic, all",
            format!("/patients/{id}/clinical/vitals/systolic?range=all"),
            None,
        ),
    ];
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    for (name, path, target) in pages {
        // Each page once first: a bench of error pages or redirects would measure nothing.
        let r = http
            .get(format!("{base}{path}"))
            .header("cookie", &cookies[0])
            .send()
            .await?;
        if !r.status().is_success() {
            anyhow::bail!("{name}: {path} answered {}", r.status());
        }
        let run = super::bench_web::load(&base, &cookies, seconds, Duration::ZERO, move |_| {
            path.clone()
        });
        report(name, target, run.await);
    }
    store.flush_audit().await;
    let _ = std::fs::remove_dir_all(dir);
    Ok(std::process::ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn instants_are_rfc3339() {
        assert_eq!(super::at(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(super::at(1_700_000_000, 61), "2023-11-14T22:14:21Z");
        assert_eq!(super::at(951_782_400, 0), "2000-02-29T00:00:00Z");
    }
}
