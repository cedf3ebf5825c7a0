//! The HTML pages, one module per area.

pub mod account;
pub mod admin;
pub mod anamnesis;
pub mod audit;
pub mod chart;
pub mod clinical;
pub mod exams;
pub mod home;
pub mod labs;
pub mod password;
pub mod patients;
pub mod scheduling;
pub mod setup;
pub mod signin;
pub mod timeline;

use super::i18n::Lang;
use super::render::html;
use super::session::anonymous_page;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

/// A plain error page (403, 404, 409, 500) in the visitor's language.
pub fn error_page(lang: Lang, status: StatusCode, title: &str, message: &str) -> Response {
    html(
        status,
        "error.html",
        anonymous_page(lang, context! { title, message }),
    )
}
