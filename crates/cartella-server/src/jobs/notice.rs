//! `planning.reminder`: deliver an appointment reminder (or a waiting-list offer) by e-mail or
//! SMS, in the patient's language, recording each attempt as a `Communication` (see
//! `scheduling::notifications`). A reminder whose Appointment was rescheduled (new batch) or
//! cancelled since it was queued does nothing. Transient failures return `Err` so the worker
//! retries with backoff; the last attempt, or a permanent failure (a rejected address), is
//! recorded as `dead`.

use crate::AppState;
use crate::scheduling::notifications as rec;
use crate::scheduling::reminders::{ReminderSettings, batch_of, start_of};
use crate::scheduling::sms::SmsSender;
use crate::web::i18n::Lang;
use crate::web::render::locales;
use async_trait::async_trait;
use cartella_core::scheduling::appointment::participant_actors;
use cartella_mail::{Mailer, Message};
use cartella_store::jobs::JobHandler;
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, JobRecord};
use fluent_bundle::FluentArgs;
use serde_json::Value;
use std::sync::Arc;

pub struct AppointmentNotice {
    pub state: AppState,
    pub mailer: Arc<dyn Mailer>,
    pub sms: Arc<dyn SmsSender>,
}

/// What to deliver: the record key, the message keys and the appointment time to show.
struct Notice<'a> {
    patient: String,
    about: String,
    key: String,
    channel: &'a str,
    /// Message id prefix in reminders.ftl: `reminder` or `offer`.
    text: &'static str,
    at: i64,
    /// Whether the message carries a single-use cancellation link.
    link: bool,
}

fn read_body(r: &cartella_store::StoredResource) -> Result<Value, String> {
    serde_json::from_slice(&r.json).map_err(|_| "stored resource is not JSON".to_owned())
}

/// The patient's contact for a channel: e-mail, or for SMS a mobile number before any phone.
fn contact(patient: &Value, channel: &str) -> Option<String> {
    let telecom = patient.get("telecom")?.as_array()?;
    let of = |system: &'static str| telecom.iter().filter(move |t| t["system"] == system);
    let value = |t: &Value| t["value"].as_str().map(str::to_owned);
    match channel {
        "email" => of("email").find_map(value),
        _ => of("sms")
            .chain(of("phone").filter(|t| t["use"] == "mobile"))
            .chain(of("phone"))
            .find_map(value),
    }
}

/// Patient.communication (the preferred one first), else the practice default, else English.
fn language(patient: &Value, settings: &ReminderSettings) -> Lang {
    let mut list: Vec<&Value> = patient
        .get("communication")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    list.sort_by_key(|c| c["preferred"] != true);
    list.iter()
        .filter_map(|c| c.pointer("/language/coding/0/code").and_then(Value::as_str))
        .find_map(Lang::parse)
        .or_else(|| settings.default_language.as_deref().and_then(Lang::parse))
        .unwrap_or(Lang::En)
}

impl AppointmentNotice {
    async fn reminder(
        &self,
        ctx: &AccessContext,
        job: &JobRecord,
        p: &Value,
    ) -> Result<(), String> {
        let id = p["appointment"]
            .as_str()
            .ok_or("payload has no appointment")?;
        let appt = match self.state.store.read(ctx, "Appointment", id).await {
            Ok(r) => read_body(&r)?,
            // Deleted since: nothing to remind.
            Err(
                cartella_store::StoreError::NotFound(_) | cartella_store::StoreError::Deleted(_),
            ) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        };
        let still = appt["status"] == "booked"
            && batch_of(&appt) == p["batch"].as_str()
            && start_of(&appt) == p["start"].as_i64();
        let patient = participant_actors(&appt)
            .into_iter()
            .find(|a| a.starts_with("Patient/"));
        let (true, Some(patient)) = (still, patient) else {
            return Ok(());
        };
        let channel = p["channel"].as_str().unwrap_or("email");
        let notice = Notice {
            patient,
            about: format!("Appointment/{id}"),
            key: format!(
                "{}:{channel}:{}",
                p["batch"].as_str().unwrap_or(""),
                p["offset"]
            ),
            channel,
            text: "reminder",
            at: p["start"].as_i64().unwrap_or(0),
            link: true,
        };
        self.deliver(ctx, job, &notice).await
    }

    async fn offer(&self, ctx: &AccessContext, job: &JobRecord, p: &Value) -> Result<(), String> {
        let entry = p["entry"].as_str().ok_or("payload has no entry")?;
        let r = self
            .state
            .store
            .read(ctx, "Appointment", entry)
            .await
            .map_err(|e| e.to_string())?;
        let body = read_body(&r)?;
        if body["status"] != "waitlist" {
            return Ok(());
        }
        let Some(patient) = participant_actors(&body)
            .into_iter()
            .find(|a| a.starts_with("Patient/"))
        else {
            return Ok(());
        };
        let channel = p["channel"].as_str().unwrap_or("email");
        let notice = Notice {
            patient,
            about: format!("Appointment/{entry}"),
            key: format!("offer-{}:{channel}:0", p["start"]),
            channel,
            text: "offer",
            at: p["start"].as_i64().unwrap_or(0),
            link: false,
        };
        self.deliver(ctx, job, &notice).await
    }

    async fn deliver(
        &self,
        ctx: &AccessContext,
        job: &JobRecord,
        n: &Notice<'_>,
    ) -> Result<(), String> {
        let store = &self.state.store;
        let pid = n.patient.trim_start_matches("Patient/");
        let patient = read_body(
            &store
                .read(ctx, "Patient", pid)
                .await
                .map_err(|e| e.to_string())?,
        )?;
        let Some(to) = contact(&patient, n.channel) else {
            return Ok(()); // No address for this channel: nothing to send, nothing to record.
        };
        let settings = ReminderSettings::load(&self.state, &ctx.tenant).await;
        let lang = language(&patient, &settings);
        let existing = rec::records(store, ctx, &n.patient, &n.about)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|(_, _, r)| rec::key_of(r) == Some(n.key.as_str()));
        if let Some((_, _, r)) = &existing
            && rec::used_at(r).is_some()
        {
            return Ok(()); // The patient already cancelled through this reminder's link.
        }
        let (mut id, mut version, mut body) = match existing {
            // Sent before the worker could mark the job done.
            Some((_, _, r)) if r["status"] == "completed" => return Ok(()),
            Some((id, v, r)) => (Some(id), Some(v), r),
            None => (
                None,
                None,
                rec::new_record(&n.patient, &n.about, &n.key, n.channel),
            ),
        };
        let secret = n.link.then(|| rec::add_token(&mut body));
        rec::set_state(&mut body, "sending", job.attempts, None);
        (id, version) = self.save(ctx, id, version, body.clone()).await?;
        let rid = id.clone().unwrap_or_default();
        let link = secret.map(|s| {
            format!(
                "{}/appointments/cancel/{}.{rid}.{s}",
                self.state.config.public_url, ctx.tenant
            )
        });
        let (subject, text) = compose(&self.state, ctx, lang, n, link.as_deref()).await;
        let outcome = match n.channel {
            "sms" => self.sms.send(&to, &text).await.map_err(|e| (e, false)),
            _ => {
                let m = Message {
                    to,
                    subject,
                    text,
                    html: None,
                };
                self.mailer
                    .send(&m)
                    .await
                    .map_err(|e| (e.to_string(), e.is_permanent()))
            }
        };
        match outcome {
            Ok(()) => {
                rec::set_state(&mut body, "sent", job.attempts, None);
                self.save(ctx, id, version, body).await?;
                Ok(())
            }
            Err((err, permanent)) => {
                let last = permanent || job.attempts >= job.max_attempts;
                let state = if last { "dead" } else { "failed" };
                rec::set_state(&mut body, state, job.attempts, Some(&err));
                self.save(ctx, id, version, body).await?;
                if permanent { Ok(()) } else { Err(err) }
            }
        }
    }

    async fn save(
        &self,
        ctx: &AccessContext,
        id: Option<String>,
        version: Option<i64>,
        mut body: Value,
    ) -> Result<(Option<String>, Option<i64>), String> {
        let store = &self.state.store;
        let out = match &id {
            Some(id) => {
                body["id"] = Value::String(id.clone());
                let opts = WriteOptions {
                    if_match: version,
                    ..Default::default()
                };
                store.update(ctx, "Communication", id, body, opts).await
            }
            None => {
                store
                    .create(ctx, "Communication", body, WriteOptions::default())
                    .await
            }
        }
        .map_err(|e| e.to_string())?;
        Ok((Some(out.resource.id), Some(out.resource.version)))
    }
}

/// Subject and text in `lang`: the appointment's local date and time, the practice, the link.
async fn compose(
    state: &AppState,
    ctx: &AccessContext,
    lang: Lang,
    n: &Notice<'_>,
    link: Option<&str>,
) -> (String, String) {
    let raw = state
        .auth
        .backend()
        .tenant_settings(&ctx.tenant)
        .await
        .unwrap_or_default();
    let practice =
        crate::web::practice::PracticeSettings::parse(if raw.is_empty() { "{}" } else { &raw });
    let tz = crate::web::format::zone(&practice.time_zone);
    let name = match practice.display_name.clone() {
        Some(n) => n,
        None => state
            .store
            .tenant_by_id(&ctx.tenant)
            .await
            .map(|t| t.name)
            .unwrap_or_default(),
    };
    let when = jiff::Timestamp::from_microsecond(n.at)
        .map(|t| crate::web::format::datetime(lang, &tz, t))
        .unwrap_or_default();
    let mut args = FluentArgs::new();
    args.set("when", when);
    args.set("practice", name);
    args.set("phone", practice.phone.clone());
    args.set("link", link.unwrap_or("").to_owned());
    let l = locales();
    let kind = if n.channel == "sms" { "sms" } else { "email" };
    let subject = l.text(lang, &format!("{}-subject", n.text), Some(&args));
    let text = l.text(lang, &format!("{}-{kind}", n.text), Some(&args));
    (subject, text)
}

#[async_trait]
impl JobHandler for AppointmentNotice {
    async fn run(&self, job: &JobRecord) -> Result<(), String> {
        let p: Value =
            serde_json::from_str(&job.payload).map_err(|_| "payload is not JSON".to_owned())?;
        let tenant = job.tenant.clone().ok_or("job has no tenant")?;
        let ctx = AccessContext::system(tenant, "notifications");
        match p["kind"].as_str() {
            Some("offer") => self.offer(&ctx, job, &p).await,
            _ => self.reminder(&ctx, job, &p).await,
        }
    }
}
