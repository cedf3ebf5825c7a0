//! Static assets compiled into the binary (nothing is fetched from elsewhere). URLs carry a
//! content hash, so browsers may cache them for a year and still never see a stale file.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("../../assets/app.css"),
    },
    Asset {
        name: "app.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/app.js"),
    },
    Asset {
        name: "calendar.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/calendar.js"),
    },
    Asset {
        name: "htmx.min.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/htmx.min.js"),
    },
    Asset {
        name: "icons.svg",
        mime: "image/svg+xml",
        body: include_bytes!("../../assets/icons.svg"),
    },
    Asset {
        name: "exams.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/exams.js"),
    },
    Asset {
        name: "exams.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("../../assets/exams.css"),
    },
    Asset {
        name: "favicon.svg",
        mime: "image/svg+xml",
        body: include_bytes!("../../assets/favicon.svg"),
    },
];

/// A short content hash per asset, computed once.
fn version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let mut h = Sha256::new();
        for a in ASSETS {
            h.update(a.body);
        }
        hex::encode(&h.finalize()[..6])
    })
}

/// The URL of an asset for templates: `/assets/<hash>/<name>`.
pub fn url(name: &str) -> String {
    format!("/assets/{}/{name}", version())
}

pub async fn serve(Path((v, name)): Path<(String, String)>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if v == version() {
        "public, max-age=31536000, immutable"
    } else {
        // An old hash after an upgrade: serve the current file but do not pin it.
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.mime)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.body,
    )
        .into_response()
}
