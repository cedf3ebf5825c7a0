//! The JSON API at `/api/v1`: sign-in and account endpoints, first-run setup, and practice
//! administration (staff, API clients, settings, shares), and the patient registry
//! (`crate::patients::api`), and the clinical record (`crate::clinical::api`).

pub(crate) mod account;
mod admin;
pub mod envelope;
pub mod openapi;

use crate::AppState;
use crate::anamnesis::api as anam;
use crate::clinical::api::{encounters as enc, records as rec, vitals as vit};
use crate::exams::api as exams;
use crate::labs::api as labs;
use crate::patients::api as patients;
use crate::scheduling::api as planning;
use axum::Router;
use axum::routing::{get, post, put};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::serve))
        .route("/setup", post(account::setup))
        .route("/auth/login", post(account::login))
        .route("/auth/mfa", post(account::mfa))
        .route("/auth/logout", post(account::logout))
        .route("/auth/logout-everywhere", post(account::logout_everywhere))
        .route("/auth/me", get(account::me))
        .route("/auth/password", post(account::change_password))
        .route("/auth/password-reset", post(account::request_reset))
        .route("/auth/password-reset/confirm", post(account::confirm_reset))
        .route("/auth/2fa/setup", post(account::totp_begin))
        .route("/auth/2fa/enable", post(account::totp_confirm))
        .route("/auth/2fa/recovery-codes", post(account::recovery_codes))
        .route(
            "/admin/users",
            get(admin::list_users).post(admin::create_user),
        )
        .route("/admin/users/{id}/roles", put(admin::set_roles))
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/admin/users/{id}/enable", post(admin::enable_user))
        .route("/admin/users/{id}/reset-2fa", post(admin::reset_2fa))
        .route(
            "/admin/clients",
            get(admin::list_clients).post(admin::create_client),
        )
        .route("/admin/settings", put(admin::put_settings))
        .route("/admin/shares", post(admin::create_share))
        .route("/patients", get(patients::list).post(patients::create))
        .route("/patients/{id}", get(patients::get).put(patients::update))
        .route("/patients/{id}/deactivate", post(patients::deactivate))
        .route("/patients/{id}/merge", post(patients::merge))
        .route("/patients/{id}/encounters", get(enc::list).post(enc::open))
        .route("/encounters/{id}", get(enc::get))
        .route("/encounters/{id}/note", put(enc::note))
        .route("/encounters/{id}/close", post(enc::close))
        .route("/encounters/{id}/history", get(enc::history))
        .route("/patients/{id}/vitals", post(vit::record))
        .route("/patients/{id}/vitals/series", get(vit::get_series))
        .route("/patients/{id}/device-readings", post(vit::import_readings))
        .route("/patients/{id}/alerts", get(vit::alerts))
        .route("/alerts/{id}/acknowledge", post(vit::acknowledge))
        .route(
            "/patients/{id}/conditions",
            get(rec::conditions).post(rec::add_condition),
        )
        .route("/conditions/{id}/status", post(rec::condition_status))
        .route(
            "/patients/{id}/allergies",
            get(rec::allergies).post(rec::add_allergy),
        )
        .route(
            "/patients/{id}/prescriptions",
            get(rec::prescriptions_list).post(rec::prescribe),
        )
        .route("/prescriptions/{id}/stop", post(rec::stop_prescription))
        .route("/terminology/icd10", get(rec::icd10))
        .route(
            "/exam-templates",
            get(exams::list_templates).post(exams::create_template),
        )
        .route(
            "/exam-templates/{id}",
            get(exams::get_template).put(exams::update_template),
        )
        .route(
            "/patients/{id}/exams",
            get(exams::list_responses).post(exams::submit),
        )
        .route("/exams/{id}", get(exams::get_response))
        .route("/lab-catalog", get(labs::catalogue))
        .route(
            "/patients/{id}/lab-orders",
            get(labs::list_orders).post(labs::place),
        )
        .route("/lab-orders/{id}", get(labs::get_order))
        .route("/lab-orders/{id}/results", post(labs::post_results))
        .route("/patients/{id}/lab-reports", get(labs::list_reports))
        .route("/lab-reports/{id}", get(labs::get_report))
        .route("/labs/critical", get(labs::critical))
        .route("/patients/{id}/lab-trend", get(labs::trend))
        .route("/patients/{id}/anamnesis", get(anam::current))
        .route(
            "/patients/{id}/anamnesis/{section}",
            get(anam::list).post(anam::add),
        )
        .route("/planning/availability", get(planning::availability))
        .route("/planning/slots", post(planning::slots))
        .route("/planning/book", post(planning::book))
        .route("/planning/reschedule", post(planning::reschedule))
        .route("/planning/cancel", post(planning::cancel))
        .route("/planning/no-show", post(planning::no_show))
        .route("/planning/series", post(crate::scheduling::series::series))
        .route(
            "/planning/optimise-day",
            post(crate::scheduling::optimise::optimise_day),
        )
        .route(
            "/planning/appointments/{id}/notifications",
            get(crate::scheduling::notifications::list),
        )
        .route(
            "/planning/feeds",
            get(crate::scheduling::feeds::list).post(crate::scheduling::feeds::create),
        )
        .route(
            "/planning/feeds/{id}",
            axum::routing::delete(crate::scheduling::feeds::revoke),
        )
        .route(
            "/planning/waitlist",
            get(crate::scheduling::waitlist::list).post(crate::scheduling::waitlist::add),
        )
}
