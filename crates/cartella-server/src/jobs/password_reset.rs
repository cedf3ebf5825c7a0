//! `mail.password_reset`: create the single-use reset link at delivery time (so no secret ever
//! sits in the jobs table) and mail it in the user's language.

use async_trait::async_trait;
use cartella_auth::Auth;
use cartella_mail::{Mailer, Message};
use cartella_store::JobRecord;
use cartella_store::jobs::JobHandler;
use std::sync::Arc;

pub struct PasswordResetMail {
    pub auth: Arc<Auth>,
    pub mailer: Arc<dyn Mailer>,
    /// Where the reset page lives, e.g. `https://clinic.example`.
    pub public_url: String,
}

struct Text {
    subject: &'static str,
    body: &'static str,
}

fn text(language: Option<&str>) -> Text {
    match language.unwrap_or("en").get(..2).unwrap_or("en") {
        "it" => Text {
            subject: "Cartella: reimpostazione della password",
            body: "Buongiorno {name},\n\nper scegliere una nuova password apra questo link entro {minutes} minuti (funziona una sola volta):\n\n{link}\n\nSe non ha chiesto lei la reimpostazione, ignori questo messaggio: la password attuale resta valida.",
        },
        "fr" => Text {
            subject: "Cartella : réinitialisation du mot de passe",
            body: "Bonjour {name},\n\npour choisir un nouveau mot de passe, ouvrez ce lien dans les {minutes} minutes (il ne fonctionne qu'une fois) :\n\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message : votre mot de passe actuel reste valable.",
        },
        "de" => Text {
            subject: "Cartella: Passwort zurücksetzen",
            body: "Guten Tag {name},\n\nüber diesen Link können Sie innerhalb von {minutes} Minuten ein neues Passwort wählen (er funktioniert nur einmal):\n\n{link}\n\nFalls Sie dies nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr bisheriges Passwort bleibt gültig.",
        },
        _ => Text {
            subject: "Cartella: reset your password",
            body: "Hello {name},\n\nto choose a new password, open this link within {minutes} minutes (it works once):\n\n{link}\n\nIf you did not ask for this, ignore this message: your current password stays valid.",
        },
    }
}

#[async_trait]
impl JobHandler for PasswordResetMail {
    async fn run(&self, job: &JobRecord) -> Result<(), String> {
        let payload: serde_json::Value =
            serde_json::from_str(&job.payload).map_err(|_| "payload is not JSON".to_owned())?;
        let user_id = payload["user_id"]
            .as_str()
            .ok_or("payload has no user_id")?;
        let (user, token) = self
            .auth
            .issue_reset_token(user_id)
            .await
            .map_err(|e| e.to_string())?;
        let t = text(user.language.as_deref());
        let link = format!("{}/reset-password?token={token}", self.public_url);
        let body = t
            .body
            .replace("{name}", &user.display_name)
            .replace(
                "{minutes}",
                &self.auth.config.reset_link_minutes.to_string(),
            )
            .replace("{link}", &link);
        let message = Message {
            to: user.email.clone(),
            subject: t.subject.to_owned(),
            text: body,
            html: None,
        };
        self.mailer.send(&message).await.map_err(|e| e.to_string())
    }
}
