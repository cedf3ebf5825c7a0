//! `cartella`: the one binary that runs a clinic. Parses the command line, loads settings,
//! and hands over to a command.
#![forbid(unsafe_code)]

mod commands;
mod settings;
mod startup;

use clap::{Parser, Subcommand};
use settings::{Overrides, Settings};

/// mimalloc instead of glibc's malloc: the server allocates on tokio threads and frees on the
/// SQLite writer thread (and the reverse), and glibc's per-arena locks made those frees wait on
/// each other (seen as lock waits inside `free` on the writer); allocation was also a fifth of
/// a search's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "cartella",
    version,
    about = "Cartella: electronic health record and practice management for clinics"
)]
struct Cli {
    #[command(flatten)]
    overrides: Overrides,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default when no command is given)
    Serve(commands::serve::Args),
    /// Apply database migrations and exit
    Migrate,
    /// Manage practices (tenants)
    #[command(subcommand)]
    Tenant(commands::tenant::Command),
    /// Manage encryption keys
    #[command(subcommand)]
    Keys(commands::keys::Command),
    /// Check the audit trail
    #[command(subcommand)]
    Audit(commands::audit::Command),
    /// Demo data
    #[command(subcommand)]
    Demo(commands::demo::Command),
    /// Manage users
    #[command(subcommand)]
    User(commands::user::Command),
    /// Manage API clients (OAuth2)
    #[command(subcommand)]
    Client(commands::user::ClientCommand),
    /// Patient data rights (erasure)
    #[command(subcommand)]
    Patient(commands::patient::Command),
    /// Rebuild the search index from the stored resources
    Reindex(commands::reindex::Args),
    /// Measure performance and print figures
    #[command(subcommand)]
    Bench(commands::bench::Command),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli.overrides) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    init_logging(&settings);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli
            .command
            .unwrap_or(Command::Serve(commands::serve::Args::default()))
        {
            Command::Serve(args) => commands::serve::run(settings, args).await,
            Command::Migrate => commands::migrate(settings).await,
            Command::Tenant(c) => commands::tenant::run(settings, c).await,
            Command::Keys(c) => commands::keys::run(settings, c).await,
            Command::Audit(c) => commands::audit::run(settings, c).await,
            Command::Patient(c) => commands::patient::run(settings, c).await,
            Command::User(c) => commands::user::run(settings, c).await,
            Command::Demo(c) => commands::demo::run(settings, c).await,
            Command::Client(c) => commands::user::run_client(settings, c).await,
            Command::Reindex(args) => commands::reindex::run(settings, args).await,
            Command::Bench(c) => commands::bench::run(settings, c).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CARTELLA_LOG")
        .unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if settings.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
