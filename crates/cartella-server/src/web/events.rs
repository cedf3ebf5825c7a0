//! Live updates: a Server-Sent Events stream per signed-in page. It carries what changed (type,
//! id, version, who, when) for records the user may read in their practice, never content; the
//! page decides what to do (show "changed by X at T", refresh a list).

use super::format;
use super::session::Web;
use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use cartella_core::access::{Action, Decision};
use cartella_store::Change;
use futures_util::stream::{self, Stream};
use std::collections::HashMap;
use std::convert::Infallible;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::{Receiver, error::RecvError};

/// How often an open stream re-checks that its session is still valid (sign-out, disable).
const RECHECK: Duration = Duration::from_secs(30);

struct Feed {
    rx: Receiver<Change>,
    web: Web,
    state: AppState,
    cookie: String,
    names: HashMap<String, String>,
    checked: Instant,
}

impl Feed {
    fn visible(&self, c: &Change) -> bool {
        if c.tenant != self.web.ctx.tenant {
            return false;
        }
        match self.web.ctx.principal.decide(&c.rtype, Action::Read) {
            Decision::Allow => true,
            // Compartment-limited users hear only about their own patients' records.
            Decision::Compartment(ids) => c.rtype == "Patient" && ids.iter().any(|p| p == &c.id),
            Decision::Deny => false,
        }
    }

    async fn still_signed_in(&mut self) -> bool {
        if self.checked.elapsed() < RECHECK {
            return true;
        }
        self.checked = Instant::now();
        self.state.auth.session(&self.cookie, false).await.is_ok()
    }

    async fn name_of(&mut self, actor: &str) -> String {
        if !self.names.contains_key(actor) {
            let members = self
                .state
                .auth
                .backend()
                .members(&self.web.ctx.tenant)
                .await
                .unwrap_or_default();
            self.names = members
                .into_iter()
                .map(|(u, _)| (u.id, u.display_name))
                .collect();
        }
        self.names
            .get(actor)
            .cloned()
            .unwrap_or_else(|| actor.to_owned())
    }

    async fn event(&mut self, c: &Change) -> Event {
        let by = self.name_of(&c.actor).await;
        let at = jiff::Timestamp::from_microsecond(c.at.micros())
            .map(|t| {
                format::datetime(
                    self.web.lang,
                    &format::zone(&self.web.settings.time_zone),
                    t,
                )
            })
            .unwrap_or_default();
        let data = serde_json::json!({
            "type": c.rtype, "id": c.id, "version": c.version, "deleted": c.deleted, "by": by, "at": at,
        });
        Event::default().event("change").data(data.to_string())
    }
}

pub async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    web: Web,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let feed = Feed {
        rx: state.store.subscribe_changes(),
        cookie: cookie(&headers, SESSION_COOKIE)
            .unwrap_or_default()
            .to_owned(),
        state,
        web,
        names: HashMap::new(),
        checked: Instant::now(),
    };
    let events = stream::unfold(feed, |mut feed| async move {
        loop {
            match tokio::time::timeout(RECHECK, feed.rx.recv()).await {
                Ok(Ok(change)) => {
                    if !feed.visible(&change) {
                        continue;
                    }
                    if !feed.still_signed_in().await {
                        return None;
                    }
                    let ev = feed.event(&change).await;
                    return Some((Ok(ev), feed));
                }
                // Missed announcements: tell the page to treat everything as possibly stale.
                Ok(Err(RecvError::Lagged(_))) => {
                    return Some((Ok(Event::default().event("lagged").data("{}")), feed));
                }
                Ok(Err(RecvError::Closed)) => return None,
                Err(_) => {
                    if !feed.still_signed_in().await {
                        return None;
                    }
                }
            }
        }
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}
