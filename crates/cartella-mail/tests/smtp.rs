//! SmtpMailer against the real test SMTP server, and FileMailer on disk.

use std::time::Duration;

use cartella_mail::testing::{TestSmtpOptions, TestSmtpServer};
use cartella_mail::{
    FileMailer, LogMailer, MailError, Mailer, Message, SmtpMailer, SmtpSettings, TlsMode,
};

const WAIT: Duration = Duration::from_secs(10);
const SUBJECT: &str = "Reimpostazione della password — Größe";
const LINK: &str = "https://clinic.example/reset?token=Abc123_-x%3D%3D&lang=it";

fn settings(server: &TestSmtpServer) -> SmtpSettings {
    SmtpSettings {
        host: server.addr().ip().to_string(),
        port: server.addr().port(),
        tls: TlsMode::None,
        username: None,
        password: None,
        from: "Cartella <noreply@clinic.example>".into(),
        timeout_secs: 5,
    }
}

fn reset_mail(to: &str) -> Message {
    Message {
        to: to.into(),
        subject: SUBJECT.into(),
        text: format!(
            "Gentile Niccolò,\nper reimpostare la password apra questo collegamento:\n{LINK}\n\n\
             Grüße aus der Praxis — perché la sicurezza è importante.\n\
             .A line starting with a dot survives dot-stuffing.\n"
        ),
        html: Some(format!(
            "<p>Gentile Niccolò,</p><p><a href=\"{LINK}\">Reimposta la password</a></p>\
             <p>Grüße — è</p>"
        )),
    }
}

#[tokio::test]
async fn delivers_utf8_text_and_html() {
    let server = TestSmtpServer::start().await;
    let mailer = SmtpMailer::new(&settings(&server)).unwrap();
    let message = reset_mail("Niccolò Bianchi <niccolo@paziente.example>");

    mailer.send(&message).await.unwrap();

    let mails = server.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.from, "noreply@clinic.example");
    assert_eq!(mail.recipients, ["niccolo@paziente.example"]);
    assert_eq!(mail.subject().as_deref(), Some(SUBJECT));
    assert_eq!(mail.text_body().as_deref(), Some(message.text.as_str()));
    assert_eq!(mail.html_body().as_deref(), message.html.as_deref());
    let text = mail.text_body().unwrap();
    let link = text.lines().find(|l| l.starts_with("https://")).unwrap();
    assert_eq!(link, LINK);
    assert!(
        mail.header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    assert!(
        mail.header("From")
            .unwrap()
            .contains("noreply@clinic.example")
    );
}

#[tokio::test]
async fn text_only_mail_is_single_part() {
    let server = TestSmtpServer::start().await;
    let mailer = SmtpMailer::new(&settings(&server)).unwrap();
    let message = Message {
        html: None,
        ..reset_mail("anna@paziente.example")
    };

    mailer.send(&message).await.unwrap();

    let mail = server.wait_for(1, WAIT).await.remove(0);
    assert!(
        mail.header("Content-Type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(mail.text_body().as_deref(), Some(message.text.as_str()));
    assert_eq!(mail.html_body(), None);
}

#[tokio::test]
async fn one_mailer_sends_many_mails_concurrently() {
    let server = TestSmtpServer::start().await;
    let mailer = std::sync::Arc::new(SmtpMailer::new(&settings(&server)).unwrap());
    let sends = (0..5).map(|i| {
        let mailer = std::sync::Arc::clone(&mailer);
        tokio::spawn(async move {
            mailer
                .send(&reset_mail(&format!("p{i}@paziente.example")))
                .await
        })
    });
    for send in sends.collect::<Vec<_>>() {
        send.await.unwrap().unwrap();
    }
    let mut recipients: Vec<String> = server
        .wait_for(5, WAIT)
        .await
        .into_iter()
        .flat_map(|m| m.recipients)
        .collect();
    recipients.sort();
    assert_eq!(
        recipients,
        (0..5)
            .map(|i| format!("p{i}@paziente.example"))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn subject_line_breaks_cannot_inject_headers() {
    let server = TestSmtpServer::start().await;
    let mailer = SmtpMailer::new(&settings(&server)).unwrap();
    let message = Message {
        subject: "Hello\r\nBcc: victim@elsewhere.example".into(),
        ..reset_mail("anna@paziente.example")
    };

    mailer.send(&message).await.unwrap();

    let mail = server.wait_for(1, WAIT).await.remove(0);
    assert_eq!(mail.header("Bcc"), None);
    assert_eq!(mail.recipients, ["anna@paziente.example"]);
}

#[tokio::test]
async fn rejected_recipient_is_a_permanent_error() {
    let server = TestSmtpServer::start_with(TestSmtpOptions {
        reject_recipients_containing: Some("bounce".into()),
        ..TestSmtpOptions::default()
    })
    .await;
    let mailer = SmtpMailer::new(&settings(&server)).unwrap();

    let err = mailer
        .send(&reset_mail("bounce@paziente.example"))
        .await
        .unwrap_err();

    assert!(matches!(err, MailError::Rejected(_)), "{err:?}");
    assert!(err.is_permanent());
    assert!(err.to_string().contains("550"), "{err}");
    assert!(
        !err.to_string().contains("bounce@"),
        "no address in errors: {err}"
    );
    // Other recipients still go through.
    mailer
        .send(&reset_mail("ok@paziente.example"))
        .await
        .unwrap();
    assert_eq!(server.wait_for(1, WAIT).await.len(), 1);
}

#[tokio::test]
async fn temporary_failure_is_transient_and_a_retry_succeeds() {
    let server = TestSmtpServer::start_with(TestSmtpOptions {
        transient_failures: 1,
        ..TestSmtpOptions::default()
    })
    .await;
    let mailer = SmtpMailer::new(&settings(&server)).unwrap();
    let message = reset_mail("anna@paziente.example");

    let err = mailer.send(&message).await.unwrap_err();
    assert!(matches!(err, MailError::Unavailable(_)), "{err:?}");
    assert!(!err.is_permanent());
    assert!(err.to_string().contains("451"), "{err}");
    assert!(server.received().is_empty());

    mailer.send(&message).await.unwrap();
    assert_eq!(server.wait_for(1, WAIT).await.len(), 1);
}

#[tokio::test]
async fn unreachable_server_is_transient() {
    // Bind then drop a listener to get a port nobody listens on.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let settings = SmtpSettings {
        host: addr.ip().to_string(),
        port: addr.port(),
        tls: TlsMode::None,
        username: None,
        password: None,
        from: "noreply@clinic.example".into(),
        timeout_secs: 2,
    };
    let err = SmtpMailer::new(&settings)
        .unwrap()
        .send(&reset_mail("anna@paziente.example"))
        .await
        .unwrap_err();
    assert!(matches!(err, MailError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn invalid_address_fails_without_connecting() {
    let server = TestSmtpServer::start().await;
    let mailer = SmtpMailer::new(&settings(&server)).unwrap();

    for bad in ["not an address", "", "anna@", "anna@@paziente.example"] {
        let err = mailer.send(&reset_mail(bad)).await.unwrap_err();
        assert!(
            matches!(err, MailError::InvalidAddress(_)),
            "{bad:?}: {err:?}"
        );
        assert!(err.is_permanent());
    }
    assert_eq!(server.connections(), 0);
}

#[test]
fn invalid_sender_is_refused_at_startup() {
    let settings = SmtpSettings {
        host: "127.0.0.1".into(),
        port: 25,
        tls: TlsMode::None,
        username: None,
        password: None,
        from: "Cartella noreply at clinic".into(),
        timeout_secs: 5,
    };
    assert!(matches!(
        SmtpMailer::new(&settings),
        Err(MailError::InvalidAddress(_))
    ));
}

#[test]
fn tls_modes_build_without_connecting() {
    for tls in [TlsMode::StartTls, TlsMode::Tls] {
        let settings = SmtpSettings {
            host: "smtp.clinic.example".into(),
            port: 587,
            tls,
            username: Some("cartella".into()),
            password: Some(cartella_mail::Secret::new("hunter2")),
            from: "Cartella <noreply@clinic.example>".into(),
            timeout_secs: 5,
        };
        SmtpMailer::new(&settings).unwrap();
    }
}

#[tokio::test]
async fn file_mailer_writes_a_readable_eml() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("outbox");
    let mailer = FileMailer::new(&folder, "Cartella <noreply@clinic.example>").unwrap();
    let message = reset_mail("anna@paziente.example");

    mailer.send(&message).await.unwrap();
    mailer.send(&message).await.unwrap();

    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().all(|f| f.extension().unwrap() == "eml"));
    let raw = std::fs::read_to_string(&files[0]).unwrap();
    // Read it back with the same decoder the SMTP tests use.
    let mail = cartella_mail::testing::ReceivedMail {
        from: String::new(),
        recipients: Vec::new(),
        data: raw,
    };
    assert_eq!(mail.header("To").as_deref(), Some("anna@paziente.example"));
    assert_eq!(mail.subject().as_deref(), Some(SUBJECT));
    assert_eq!(mail.text_body().as_deref(), Some(message.text.as_str()));
    assert_eq!(mail.html_body().as_deref(), message.html.as_deref());

    let err = mailer.send(&reset_mail("nobody")).await.unwrap_err();
    assert!(matches!(err, MailError::InvalidAddress(_)));
}

#[tokio::test]
async fn log_mailer_validates_and_stores_nothing() {
    LogMailer
        .send(&reset_mail("anna@paziente.example"))
        .await
        .unwrap();
    let err = LogMailer.send(&reset_mail("anna")).await.unwrap_err();
    assert!(matches!(err, MailError::InvalidAddress(_)));
}

#[tokio::test]
async fn starttls_is_required_when_configured() {
    // The test server does not offer STARTTLS: nothing may be sent in clear text.
    let server = TestSmtpServer::start().await;
    let mailer = SmtpMailer::new(&SmtpSettings {
        tls: TlsMode::StartTls,
        ..settings(&server)
    })
    .unwrap();

    let err = mailer
        .send(&reset_mail("anna@paziente.example"))
        .await
        .unwrap_err();

    assert!(matches!(err, MailError::Unavailable(_)), "{err:?}");
    assert_eq!(server.connections(), 1);
    assert!(
        server
            .wait_for(1, Duration::from_millis(200))
            .await
            .is_empty()
    );
}
