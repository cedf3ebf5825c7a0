//! A development sink that writes each mail as an `.eml` file, openable in any mail client.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use lettre::message::Mailbox;

use crate::{MailError, Mailer, Message, compose};

/// Writes every message, fully MIME-encoded as SMTP would carry it, to
/// `<folder>/<uuidv7>.eml`. File names sort by sending time.
#[derive(Debug, Clone)]
pub struct FileMailer {
    folder: PathBuf,
    from: Mailbox,
}

impl FileMailer {
    /// Creates `folder` if needed. `from` is the sender, as in [`crate::SmtpSettings::from`].
    pub fn new(folder: impl Into<PathBuf>, from: &str) -> Result<Self, MailError> {
        let folder = folder.into();
        std::fs::create_dir_all(&folder)
            .map_err(|e| MailError::Config(format!("mail folder {}: {e}", folder.display())))?;
        Ok(FileMailer {
            folder,
            from: compose::parse_sender(from)?,
        })
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let email = compose::build(&self.from, message)?;
        let name = uuid::Uuid::now_v7().to_string();
        let partial = self.folder.join(format!("{name}.eml.tmp"));
        let done = self.folder.join(format!("{name}.eml"));
        // Write then rename, so a watcher never opens a half-written file.
        let write = async {
            tokio::fs::write(&partial, email.formatted()).await?;
            tokio::fs::rename(&partial, &done).await
        };
        write
            .await
            .map_err(|e| MailError::Unavailable(format!("writing {}: {e}", done.display())))?;
        tracing::info!(file = %done.display(), "mail written");
        Ok(())
    }
}
