//! Reminders end to end: booking commits the jobs, a worker delivers them over real SMTP and a
//! real HTTP SMS receiver in each patient's language, rescheduled/cancelled appointments send
//! nothing for the old time, the cancellation link works once, failures are retried then dead.

use super::*;
use crate::support::worlds;
use cartella_mail::testing::TestSmtpServer;
use cartella_mail::{SmtpMailer, SmtpSettings, TlsMode};
use cartella_server::scheduling::sms::{HttpSms, SmsSettings};
use cartella_store::Lane;
use cartella_store::jobs::Worker;
use std::sync::Mutex;
use std::time::Duration;

/// A local SMS provider: records `(authorization, body)`; answers `status`.
struct SmsReceiver {
    url: String,
    got: Arc<Mutex<Vec<(String, Value)>>>,
}

async fn sms_receiver(status: u16) -> SmsReceiver {
    use axum::routing::post;
    let got: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let store = got.clone();
    let app = axum::Router::new().route(
        "/send",
        post(
            move |headers: axum::http::HeaderMap, body: axum::Json<Value>| {
                let store = store.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    store.lock().unwrap().push((auth, body.0));
                    axum::http::StatusCode::from_u16(status).unwrap()
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    SmsReceiver { url, got }
}

fn worker(app: &TestApp, smtp: &TestSmtpServer, sms: &SmsReceiver) -> Worker {
    let settings = SmtpSettings {
        host: smtp.addr().ip().to_string(),
        port: smtp.addr().port(),
        tls: TlsMode::None,
        username: None,
        password: None,
        from: "Studio <noreply@clinic.test>".into(),
        timeout_secs: 5,
    };
    let state = AppState {
        store: app.store.clone(),
        auth: app.auth_service.clone(),
        config: Arc::new(ServerConfig {
            max_body_bytes: 64 * 1024,
            service_token: None,
            public_url: app.base.clone(),
        }),
        started: Instant::now(),
    };
    let sms = HttpSms::new(SmsSettings {
        url: sms.url.clone(),
        token: "sms-secret".into(),
        from: Some("Studio".into()),
        timeout_seconds: Some(5),
    })
    .unwrap();
    let handler = cartella_server::jobs::AppointmentNotice {
        state,
        mailer: Arc::new(SmtpMailer::new(&settings).unwrap()),
        sms: Arc::new(sms),
    };
    let mut w = Worker::new(app.store.backend().clone(), Lane::Interactive);
    w.backoff_base = Duration::from_millis(10);
    w.register(
        cartella_server::scheduling::reminders::JOB_REMINDER,
        Arc::new(handler),
    );
    w
}

/// A practice open around the clock (so "in two hours" is always bookable), reminders 2 hours
/// before, Italian by default.
async fn setup(app: &TestApp) {
    for d in ["Practitioner/d1", "Practitioner/d2", "Practitioner/d3"] {
        app.create("Schedule", &schedule(d, &["visit"], &[], &[]))
            .await;
    }
    app.create(
        "ActivityDefinition",
        &appointment_type("visit", 30, &["visit"], 0),
    )
    .await;
    let settings = json!({"time_zone": "Europe/Rome", "default_language": "it", "display_name": "Studio Verdi", "phone": "+39 02 1234",
        "scheduling": {"reminder_offsets_minutes": [120], "reminder_max_attempts": 2}});
    app.auth()
        .put_settings(&app.tenant_a, &settings)
        .await
        .unwrap();
}

fn person(family: &str, email: &str, mobile: &str, lang: Option<&str>) -> Value {
    let mut p = patient(family, "Anna", "1960-01-01", family);
    p["telecom"] = json!([{"system": "email", "value": email}, {"system": "phone", "use": "mobile", "value": mobile}]);
    if let Some(l) = lang {
        p["communication"] = json!([{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": l}]}, "preferred": true}]);
    }
    p
}

/// Book `patient` with `doctor` at `start` (RFC 3339); the appointment id.
async fn book(app: &TestApp, patient: &str, doctor: &str, start: &str) -> String {
    let r = planning(app, "/book", &json!({"type": "visit", "start": start, "patient": format!("Patient/{patient}"), "resources": [doctor]})).await;
    data(&r, StatusCode::CREATED)["appointment"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn at(from_now: Duration) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::try_from(from_now).unwrap();
    t.round(jiff::Unit::Second).unwrap().to_string()
}

async fn run_until(w: &Worker, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() && Instant::now() < deadline {
        w.run_once().await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn reminders_arrive_in_each_language_and_the_link_cancels_once() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let smtp = TestSmtpServer::start().await;
        let sms = sms_receiver(200).await;
        setup(&app).await;
        let de = app
            .create_id(
                "Patient",
                &person("Keller", "keller@mail.test", "+41 79 111", Some("de")),
            )
            .await;
        let it = app
            .create_id(
                "Patient",
                &person("Russo", "russo@mail.test", "+39 333 222", None),
            )
            .await;
        let moved = app
            .create_id(
                "Patient",
                &person("Moro", "moro@mail.test", "+39 333 333", Some("fr")),
            )
            .await;
        let gone = app
            .create_id(
                "Patient",
                &person("Conti", "conti@mail.test", "+39 333 444", Some("en")),
            )
            .await;
        // Due in about 3 seconds: two hours and three seconds ahead.
        let soon = at(Duration::from_secs(2 * 3600 + 3));
        let a = book(&app, &de, "Practitioner/d1", &soon).await;
        let _b = book(&app, &it, "Practitioner/d2", &soon).await;
        let c = book(&app, &moved, "Practitioner/d3", &soon).await;
        let d = book(
            &app,
            &gone,
            "Practitioner/d3",
            &at(Duration::from_secs(3 * 3600)),
        )
        .await;
        // Moved to tomorrow: its reminder for today's time must not go out.
        let tomorrow = at(Duration::from_secs(26 * 3600));
        let r = planning(&app, "/reschedule", &json!({"id": c, "start": tomorrow})).await;
        data(&r, StatusCode::OK);
        let r = planning(
            &app,
            "/cancel",
            &json!({"id": d, "reason": "patient called"}),
        )
        .await;
        data(&r, StatusCode::OK);

        let pending = data(
            &planning_get(&app, &format!("/appointments/{a}/notifications")).await,
            StatusCode::OK,
        );
        assert_eq!(
            pending["pending"].as_array().unwrap().len(),
            2,
            "{}: {pending}",
            app.backend
        );

        tokio::time::sleep(Duration::from_secs(4)).await;
        let w = worker(&app, &smtp, &sms);
        run_until(&w, || {
            smtp.received().len() >= 2 && sms.got.lock().unwrap().len() >= 2
        })
        .await;
        let mails = smtp.wait_for(2, Duration::from_secs(5)).await;
        // Give stray (wrong) reminders a chance to show up before counting.
        for _ in 0..5 {
            w.run_once().await.unwrap();
        }
        assert_eq!(
            smtp.received().len(),
            2,
            "{}: only the two current reminders",
            app.backend
        );
        let mail_to = |addr: &str| {
            mails
                .iter()
                .find(|m| m.recipients == vec![addr.to_owned()])
                .unwrap_or_else(|| panic!("no mail to {addr}"))
        };
        let german = mail_to("keller@mail.test");
        assert!(
            german.subject().unwrap().starts_with("Erinnerung"),
            "{:?}",
            german.subject()
        );
        let body = german.text_body().unwrap();
        assert!(
            body.contains("Studio Verdi") && body.contains("/appointments/cancel/"),
            "{body}"
        );
        let italian = mail_to("russo@mail.test");
        assert!(
            italian.subject().unwrap().starts_with("Promemoria"),
            "{}: {:?}",
            app.backend,
            italian.subject()
        );
        let texts = sms.got.lock().unwrap().clone();
        assert_eq!(texts.len(), 2, "{}", app.backend);
        assert!(texts.iter().all(|(auth, _)| auth == "Bearer sms-secret"));
        let to_de = texts
            .iter()
            .find(|(_, b)| b["to"] == "+41 79 111")
            .expect("sms to the German patient");
        assert!(
            to_de.1["text"].as_str().unwrap().contains("Erinnerung"),
            "{:?}",
            to_de.1
        );
        assert_eq!(to_de.1["from"], "Studio");

        // Delivery state is visible; nothing is pending any more for A.
        let n = data(
            &planning_get(&app, &format!("/appointments/{a}/notifications")).await,
            StatusCode::OK,
        );
        let states: Vec<(&str, &str)> = n["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["channel"].as_str().unwrap(), x["state"].as_str().unwrap()))
            .collect();
        assert_eq!(states.len(), 2, "{}: {n}", app.backend);
        assert!(
            states.contains(&("email", "sent")) && states.contains(&("sms", "sent")),
            "{n}"
        );
        assert!(n["pending"].as_array().unwrap().is_empty());
        // The rescheduled one waits for its new time; the cancelled one has nothing.
        let n = data(
            &planning_get(&app, &format!("/appointments/{c}/notifications")).await,
            StatusCode::OK,
        );
        assert!(n["notifications"].as_array().unwrap().is_empty(), "{n}");
        assert_eq!(n["pending"].as_array().unwrap().len(), 2, "{n}");
        let n = data(
            &planning_get(&app, &format!("/appointments/{d}/notifications")).await,
            StatusCode::OK,
        );
        assert!(
            n["notifications"].as_array().unwrap().is_empty()
                && n["pending"].as_array().unwrap().is_empty(),
            "{n}"
        );

        // The link: a confirmation page, then one cancellation, then "already used".
        let link = body
            .split_whitespace()
            .find(|w| w.contains("/appointments/cancel/"))
            .unwrap()
            .to_owned();
        let page = send(app.client.get(&link)).await;
        assert_eq!(page.status, StatusCode::OK, "{page:?}");
        assert!(
            page.text.contains("Möchten Sie Ihren Termin"),
            "{}",
            page.text
        );
        let (_, before) = cartella_server::scheduling::service::read(&app.store, &app.tenant_a, &a)
            .await
            .unwrap();
        assert_eq!(before["status"], "booked");
        let done = send(app.client.post(&link)).await;
        assert_eq!(done.status, StatusCode::OK, "{done:?}");
        assert!(done.text.contains("abgesagt"), "{}", done.text);
        let (_, after) = cartella_server::scheduling::service::read(&app.store, &app.tenant_a, &a)
            .await
            .unwrap();
        assert_eq!(after["status"], "cancelled", "{}", app.backend);
        let again = send(app.client.post(&link)).await;
        assert_eq!(again.status, StatusCode::GONE, "{again:?}");
        assert!(again.text.contains("bereits verwendet"), "{}", again.text);
        assert_eq!(send(app.client.get(&link)).await.status, StatusCode::GONE);
        let forged = format!(
            "{}0",
            link.trim_end_matches(|c: char| c.is_ascii_hexdigit())
        );
        assert_eq!(
            send(app.client.get(&forged)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            send(app.client.get(app.url("/appointments/cancel/nonsense")))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn a_failing_sms_provider_is_retried_then_flagged_dead() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let smtp = TestSmtpServer::start().await;
        let sms = sms_receiver(503).await;
        setup(&app).await;
        let p = app
            .create_id(
                "Patient",
                &person("Fabbri", "fabbri@mail.test", "+39 333 555", None),
            )
            .await;
        let a = book(
            &app,
            &p,
            "Practitioner/d1",
            &at(Duration::from_secs(2 * 3600 + 2)),
        )
        .await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let w = worker(&app, &smtp, &sms);
        run_until(&w, || sms.got.lock().unwrap().len() >= 2).await;
        for _ in 0..3 {
            w.run_once().await.unwrap();
        }
        // max_attempts 2: tried twice, then given up.
        assert_eq!(sms.got.lock().unwrap().len(), 2, "{}", app.backend);
        let n = data(
            &planning_get(&app, &format!("/appointments/{a}/notifications")).await,
            StatusCode::OK,
        );
        let list = n["notifications"].as_array().unwrap();
        let sms_rec = list
            .iter()
            .find(|x| x["channel"] == "sms")
            .expect("sms record");
        assert_eq!(sms_rec["state"], "dead", "{}: {n}", app.backend);
        assert_eq!(sms_rec["attempts"], 2);
        assert_eq!(sms_rec["error"], "sms provider answered HTTP 503");
        let mail_rec = list
            .iter()
            .find(|x| x["channel"] == "email")
            .expect("email record");
        assert_eq!(mail_rec["state"], "sent", "{n}");
        assert_eq!(smtp.received().len(), 1);
    }
}

#[tokio::test]
async fn a_cancellation_offers_the_slot_to_the_waiting_list() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let smtp = TestSmtpServer::start().await;
        let sms = sms_receiver(200).await;
        setup(&app).await;
        let waiting = app
            .create_id(
                "Patient",
                &person("Leone", "leone@mail.test", "+39 333 666", None),
            )
            .await;
        let other = app
            .create_id(
                "Patient",
                &person("Pace", "pace@mail.test", "+39 333 777", None),
            )
            .await;
        let elsewhere = app
            .create_id(
                "Patient",
                &person("Sala", "sala@mail.test", "+39 333 888", None),
            )
            .await;
        let r = planning(&app, "/waitlist", &json!({"patient": format!("Patient/{waiting}"), "type": "visit", "preferred": ["Practitioner/d1"]})).await;
        let entry = data(&r, StatusCode::CREATED)["entry"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Waiting for another practitioner: not offered d1's slot.
        let r = planning(&app, "/waitlist", &json!({"patient": format!("Patient/{elsewhere}"), "type": "visit", "preferred": ["Practitioner/d2"]})).await;
        data(&r, StatusCode::CREATED);
        let listed = data(&planning_get(&app, "/waitlist").await, StatusCode::OK);
        assert_eq!(listed["entries"].as_array().unwrap().len(), 2, "{listed}");
        let a = book(
            &app,
            &other,
            "Practitioner/d1",
            &at(Duration::from_secs(5 * 3600)),
        )
        .await;
        let r = planning(
            &app,
            "/cancel",
            &json!({"id": a, "reason": "patient called"}),
        )
        .await;
        data(&r, StatusCode::OK);
        let w = worker(&app, &smtp, &sms);
        run_until(&w, || {
            !smtp.received().is_empty() && !sms.got.lock().unwrap().is_empty()
        })
        .await;
        for _ in 0..3 {
            w.run_once().await.unwrap();
        }
        let mails = smtp.received();
        assert_eq!(
            mails.len(),
            1,
            "{}: one offer, to the matching patient",
            app.backend
        );
        assert_eq!(mails[0].recipients, vec!["leone@mail.test".to_owned()]);
        assert!(
            mails[0].subject().unwrap().starts_with("Si è liberato"),
            "{:?}",
            mails[0].subject()
        );
        assert!(mails[0].text_body().unwrap().contains("+39 02 1234"));
        let n = data(
            &planning_get(&app, &format!("/appointments/{entry}/notifications")).await,
            StatusCode::OK,
        );
        let states: Vec<&str> = n["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["state"].as_str().unwrap())
            .collect();
        assert_eq!(states, vec!["sent", "sent"], "{}: {n}", app.backend);
    }
}
