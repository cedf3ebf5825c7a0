//! `cartella serve`: the HTTP server plus the job workers, until SIGTERM or Ctrl-C.

use crate::settings::Settings;
use crate::startup;
use anyhow::Context;
use cartella_server::{AppState, ServerConfig, auth::Secret};
use cartella_store::Lane;
use cartella_store::jobs::Worker;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "CARTELLA_LISTEN")]
    pub listen: Option<String>,
}

pub async fn run(mut settings: Settings, args: Args) -> anyhow::Result<ExitCode> {
    if let Some(l) = args.listen {
        settings.listen = l;
    }
    let store = startup::open_store(&settings).await?;
    if let cartella_store::store::IndexRules::Changed { stored, current } =
        store.index_rules().await?
    {
        tracing::warn!(
            %stored,
            %current,
            "the search index was built with other search rules (an upgrade changed them): searches may miss older resources until `cartella reindex` has run"
        );
    }
    let token = startup::service_token(&settings)?;
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    let config = ServerConfig {
        max_body_bytes: settings.max_body_bytes,
        service_token: Some(Secret::new(token)),
        public_url: settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}")),
    };
    let auth = cartella_auth::Auth::new(store.clone(), settings.auth.clone()).await?;
    let first_run = auth.setup_token().await?;
    if let Some(token) = &first_run {
        println!(
            "first run: open {url}/setup?token={token} to create the practice and its administrator \
             (or POST {url}/api/v1/setup with that token)",
            url = config.public_url
        );
    }
    let state = AppState {
        store: store.clone(),
        auth,
        config: Arc::new(config),
        started: Instant::now(),
    };
    // Users but no practice (created from the CLI): say how to add one.
    if first_run.is_none() && store.list_tenants().await?.is_empty() {
        println!("no practice yet: create one with `cartella tenant add SLUG --name NAME`");
    }

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut interactive = Worker::new(store.backend().clone(), Lane::Interactive);
    let reset_mail = cartella_server::jobs::PasswordResetMail {
        auth: state.auth.clone(),
        mailer: settings.mailer()?,
        public_url: state.config.public_url.clone(),
    };
    interactive.register(
        cartella_auth::service::JOB_PASSWORD_RESET,
        Arc::new(reset_mail),
    );
    let notice = cartella_server::jobs::AppointmentNotice {
        state: state.clone(),
        mailer: settings.mailer()?,
        sms: settings.sms()?,
    };
    interactive.register(
        cartella_server::scheduling::reminders::JOB_REMINDER,
        Arc::new(notice),
    );
    let mut bulk = Worker::new(store.backend().clone(), Lane::Bulk);
    let export = cartella_server::jobs::FhirExport {
        store: store.clone(),
    };
    bulk.register(cartella_store::store::JOB_EXPORT, Arc::new(export));
    let workers: Vec<_> = [interactive, bulk]
        .into_iter()
        .map(|w| w.spawn(Duration::from_millis(500), stop_rx.clone()))
        .collect();

    println!("cartella listening on http://{addr}");
    tracing::info!(%addr, backend = store.backend().name(), "cartella started");
    cartella_server::serve(listener, state, shutdown_signal()).await?;
    let _ = stop_tx.send(true);
    for w in workers {
        let _ = w.await;
    }
    if let Err(e) = store.close().await {
        tracing::warn!(error = %e, "the database was not left tidy; it will be on next start");
    }
    tracing::info!("cartella stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
