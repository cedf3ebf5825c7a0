//! Wiring: choose the backend from the database URL (the only place that knows both), resolve
//! the master key, open the store.

use crate::settings::Settings;
use anyhow::{Context, bail};
use cartella_store::crypto::MasterKey;
use cartella_store::store::expected_master_key_id;
use cartella_store::{Backend, Store, StoreOptions};
use std::path::Path;
use std::sync::Arc;

pub async fn open_backend(settings: &Settings) -> anyhow::Result<Arc<dyn Backend>> {
    match &settings.database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let pg = cartella_store_pg::PgBackend::connect(url, settings.db_connections)
                .await
                .context("cannot connect to PostgreSQL")?;
            Ok(Arc::new(pg))
        }
        Some(url) if !url.starts_with("sqlite://") => {
            bail!("unsupported database URL scheme: use sqlite://PATH or postgres://…")
        }
        _ => {
            let path = settings.sqlite_path().context("no SQLite path")?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                create_private_dir(dir)?;
            }
            let backend =
                cartella_store_sqlite::SqliteBackend::open(&path, settings.db_connections)
                    .with_context(|| format!("cannot open database {}", path.display()))?;
            Ok(Arc::new(backend))
        }
    }
}

pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create data folder {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Path of a master key written during a rotation that has not been confirmed yet.
pub fn pending_key_path(path: &Path) -> std::path::PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".new");
    p.into()
}

/// The master key: `CARTELLA_MASTER_KEY` (hex), or the key file; a new key file is generated
/// only for a database that was never sealed, never for existing data.
pub async fn resolve_master_key(
    settings: &Settings,
    backend: &dyn Backend,
) -> anyhow::Result<MasterKey> {
    backend.migrate().await?;
    let expected = expected_master_key_id(backend).await?;
    if let Ok(hex) = std::env::var("CARTELLA_MASTER_KEY") {
        return Ok(MasterKey::from_hex(&hex, "CARTELLA_MASTER_KEY")?);
    }
    let path = settings.master_key_path();
    let pending = pending_key_path(&path);
    if pending.exists() {
        // A rotation was interrupted: keep whichever key the database now expects.
        let new = MasterKey::load(&pending)?;
        if expected.as_deref() == Some(new.id()) {
            std::fs::rename(&pending, &path).context("cannot finish master key rotation")?;
            return Ok(new);
        }
        std::fs::remove_file(&pending).context("cannot discard unfinished master key")?;
    }
    if path.exists() {
        return Ok(MasterKey::load(&path)?);
    }
    if let Some(id) = expected {
        bail!(
            "this database is encrypted with master key {id}, but the key file {} does not exist; restore it or set CARTELLA_MASTER_KEY",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let key = MasterKey::generate();
    key.write_new(&path)?;
    tracing::info!(path = %path.display(), key_id = key.id(), "generated a new master key; back it up: without it the data cannot be read");
    Ok(key)
}

pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<Store>> {
    let backend = open_backend(settings).await?;
    let master = resolve_master_key(settings, backend.as_ref()).await?;
    Ok(Store::open(backend, master, StoreOptions::default()).await?)
}

/// The service token: `CARTELLA_SERVICE_TOKEN`, or `<data_dir>/service.token`, generated once.
pub fn service_token(settings: &Settings) -> anyhow::Result<String> {
    if let Ok(t) = std::env::var("CARTELLA_SERVICE_TOKEN") {
        if t.len() < 32 {
            bail!("CARTELLA_SERVICE_TOKEN must be at least 32 characters");
        }
        return Ok(t);
    }
    let path = settings.data_dir.join("service.token");
    if path.exists() {
        return Ok(std::fs::read_to_string(&path)?.trim().to_owned());
    }
    create_private_dir(&settings.data_dir)?;
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    let token = hex::encode(bytes);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    use std::io::Write;
    opts.open(&path)?.write_all(token.as_bytes())?;
    tracing::info!(path = %path.display(), "generated the service token for the API");
    Ok(token)
}
