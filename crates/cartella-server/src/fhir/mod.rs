//! The FHIR R4 REST surface at `/fhir/R4`: read, vread, create, update (also as create),
//! delete, history and search over the store; every error is an OperationOutcome.

mod bundle;
mod capability;
mod export;
mod format;
mod handlers;
mod interactions;
mod operations;
pub mod outcome;
mod query;
mod response;
mod search;
mod shape;
mod transaction;
mod validate;

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;

/// `POST /fhir/R4` (with or without the trailing slash, which nesting cannot express): the
/// transaction and batch endpoint, under the same body limit and format rules as the rest.
pub fn base_router(max_body: usize) -> Router<AppState> {
    Router::new()
        .route("/fhir/R4", post(transaction::post))
        .route("/fhir/R4/", post(transaction::post))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(format::json_only))
        .layer(CatchPanicLayer::custom(outcome::panicked))
}

pub fn router(max_body: usize) -> Router<AppState> {
    Router::new()
        .route("/metadata", get(capability::metadata))
        .route("/Patient/{id}/$everything", get(handlers::everything))
        .route("/_history", get(handlers::history_system))
        .route("/$export", get(export::system))
        .route("/Patient/$export", get(export::patient))
        .route("/Group/{id}/$export", get(export::group))
        .route(
            "/$export-status/{id}",
            get(export::status).delete(export::delete),
        )
        .route("/$export-file/{id}/{n}", get(export::file))
        .route("/{rtype}/$validate", post(validate::type_level))
        .route("/{rtype}/{id}/$validate", post(validate::instance))
        .route(
            "/{rtype}",
            get(search::search)
                .post(handlers::create)
                .put(handlers::conditional_update)
                .delete(handlers::conditional_delete),
        )
        .route("/{rtype}/_search", post(search::search_post))
        .route("/{rtype}/_history", get(handlers::history_type))
        .route(
            "/{rtype}/{id}",
            get(handlers::read)
                .put(handlers::update)
                .delete(handlers::delete),
        )
        .route("/{rtype}/{id}/_history", get(handlers::history_instance))
        .route("/{rtype}/{id}/_history/{vid}", get(handlers::vread))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(format::json_only))
        .layer(CatchPanicLayer::custom(outcome::panicked))
        .fallback(handlers::not_supported)
        .method_not_allowed_fallback(handlers::method_not_allowed)
}
