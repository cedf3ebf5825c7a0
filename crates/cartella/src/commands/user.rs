//! `cartella user add|disable|reset-password` and `cartella client add`: identity administration
//! from the command line (the system account, audited like any other change).

use crate::settings::Settings;
use cartella_auth::service::{ClientRegistration, NewUser};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Add a user to a practice (or a practice to an existing user)
    Add {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Comma-separated roles: administrator, doctor, surgeon, dentist, nurse, physiotherapist, hygienist, secretary, patient, external
        #[arg(long)]
        roles: String,
        /// Initial password (else read from CARTELLA_NEW_PASSWORD; else the user must reset)
        #[arg(long, env = "CARTELLA_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// For the patient role: their Patient resource id
        #[arg(long)]
        patient_id: Option<String>,
    },
    /// Disable a user: refused at once, sessions and tokens included
    Disable {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
    /// Set a new password for a user
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, env = "CARTELLA_NEW_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

pub async fn run(settings: Settings, command: Command) -> anyhow::Result<ExitCode> {
    let store = crate::startup::open_store(&settings).await?;
    let auth = cartella_auth::Auth::new(store.clone(), settings.auth.clone()).await?;
    match command {
        Command::Add {
            tenant,
            email,
            name,
            roles,
            password,
            patient_id,
        } => {
            let ctx = store.system_context(&tenant, "cli").await?;
            let user = auth
                .create_user(
                    &ctx,
                    NewUser {
                        email,
                        name,
                        roles,
                        password,
                        patient_id,
                        expires_at: None,
                    },
                )
                .await
                .map_err(explain)?;
            println!("user {} ({}) is a member of {tenant}", user.id, user.email);
        }
        Command::Disable { tenant, email } => {
            let ctx = store.system_context(&tenant, "cli").await?;
            let user = auth
                .backend()
                .user_by_email(&cartella_auth::service::normalize_email(&email))
                .await?
                .ok_or_else(|| anyhow::anyhow!("no such user"))?;
            auth.set_disabled(&ctx, &user.id, true)
                .await
                .map_err(explain)?;
            println!("user {} disabled", user.id);
        }
        Command::ResetPassword { email, password } => {
            let user = auth
                .backend()
                .user_by_email(&cartella_auth::service::normalize_email(&email))
                .await?
                .ok_or_else(|| anyhow::anyhow!("no such user"))?;
            auth.set_password(&user.id, &password)
                .await
                .map_err(explain)?;
            println!("password of {} changed; their sessions were ended", user.id);
        }
    }
    store.close().await?;
    Ok(ExitCode::SUCCESS)
}

/// Field-level messages on one line each.
pub fn explain(e: cartella_auth::AuthError) -> anyhow::Error {
    match e {
        cartella_auth::AuthError::Invalid(fields) => anyhow::anyhow!(
            fields
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => anyhow::anyhow!(other.to_string()),
    }
}

#[derive(clap::Subcommand)]
pub enum ClientCommand {
    /// Register an API client; prints client_id and client_secret (shown once)
    Add {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        /// SMART scopes, e.g. "system/*.read" or "user/Observation.write"
        #[arg(long)]
        scopes: String,
        /// Redirect URI for the authorization-code flow (repeatable)
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// A public client (no secret; PKCE only)
        #[arg(long)]
        public: bool,
        /// Requests per hour, or "off"
        #[arg(long)]
        rate_limit: Option<String>,
    },
}

pub async fn run_client(settings: Settings, command: ClientCommand) -> anyhow::Result<ExitCode> {
    let ClientCommand::Add {
        tenant,
        name,
        scopes,
        redirect_uris,
        public,
        rate_limit,
    } = command;
    let rate_limit = match rate_limit.as_deref() {
        None => None,
        Some("off") => Some(0),
        Some(n) => Some(
            n.parse::<i64>()
                .map_err(|_| anyhow::anyhow!("--rate-limit takes a number or 'off'"))?,
        ),
    };
    let store = crate::startup::open_store(&settings).await?;
    let auth = cartella_auth::Auth::new(store.clone(), settings.auth.clone()).await?;
    let ctx = store.system_context(&tenant, "cli").await?;
    let (client, secret) = auth
        .register_client(
            &ctx,
            ClientRegistration {
                name,
                scopes,
                redirect_uris,
                public,
                rate_limit,
            },
        )
        .await
        .map_err(explain)?;
    println!("client_id: {}", client.id);
    if let Some(s) = secret {
        println!("client_secret: {s}");
    }
    store.close().await?;
    Ok(ExitCode::SUCCESS)
}
