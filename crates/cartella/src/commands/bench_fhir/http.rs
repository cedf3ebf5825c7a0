//! The FHIR server under test, seen through one shared HTTP client (connections are pooled, so
//! `--concurrency` tasks keep about that many keep-alive connections open).

use super::args::Args;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use std::time::Duration;

const FHIR_JSON: &str = "application/fhir+json";

pub struct Target {
    client: reqwest::Client,
    base: String,
}

/// What came back: status (0 when the request failed before an answer), the body when asked
/// for or when the status is not 2xx, and the Location header.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub location: Option<String>,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl Target {
    pub fn new(args: &Args) -> anyhow::Result<Target> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(FHIR_JSON));
        if let Some(token) = &args.token {
            let mut v = HeaderValue::from_str(&format!("Bearer {token}"))?;
            v.set_sensitive(true);
            headers.insert(header::AUTHORIZATION, v);
        }
        for (name, value) in &args.headers {
            headers.append(
                HeaderName::from_bytes(name.as_bytes())?,
                HeaderValue::from_str(value)?,
            );
        }
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .pool_max_idle_per_host(args.concurrency + 4)
            .tcp_nodelay(true)
            // Long enough for a big transaction on a slow server, short enough that a hung
            // server ends the run instead of the run hanging.
            .timeout(Duration::from_secs(120))
            .build()?;
        Ok(Target {
            client,
            base: args.base(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// GET `<base>/<path>`.
    pub async fn get(&self, path: &str, keep_body: bool) -> Answer {
        self.get_url(&format!("{}/{path}", self.base), keep_body)
            .await
    }

    pub async fn get_url(&self, url: &str, keep_body: bool) -> Answer {
        send(self.client.get(url), keep_body).await
    }

    /// POST a JSON body to `<base>/<path>`, or to the base itself when `path` is empty (the
    /// transaction endpoint).
    pub async fn post(&self, path: &str, body: Vec<u8>, keep_body: bool) -> Answer {
        let url = if path.is_empty() {
            self.base.clone()
        } else {
            format!("{}/{path}", self.base)
        };
        let req = self
            .client
            .post(url)
            .header(header::CONTENT_TYPE, FHIR_JSON)
            .body(body);
        send(req, keep_body).await
    }
}

/// Send and read the whole body: a response only counts as done when its last byte arrived.
async fn send(req: reqwest::RequestBuilder, keep_body: bool) -> Answer {
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return failure(e),
    };
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match resp.bytes().await {
        Ok(bytes) => {
            let keep = keep_body || !(200..300).contains(&status);
            Answer {
                status,
                body: if keep { bytes.to_vec() } else { Vec::new() },
                location,
            }
        }
        Err(e) => failure(e),
    }
}

fn failure(e: reqwest::Error) -> Answer {
    // The chain of causes says more than the top error ("error sending request").
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    Answer {
        status: 0,
        body: text.into_bytes(),
        location: None,
    }
}
