//! The staff web UI: server-rendered pages (minijinja, auto-escaped), progressive enhancement
//! with vendored htmx, every asset embedded, a strict Content-Security-Policy, four languages.

pub mod assets;
pub mod events;
pub mod format;
pub mod forms;
pub mod i18n;
pub mod pages;
pub mod practice;
pub mod render;
pub mod security;
pub mod session;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use pages::anamnesis;
use pages::{
    account, admin, audit, chart, clinical, exams, home, labs, password, patients, scheduling,
    setup, signin,
};

pub fn router() -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(home::show))
        .route("/login", get(signin::login_form).post(signin::login))
        .route("/login/2fa", get(signin::mfa_form).post(signin::mfa))
        .route("/logout", post(signin::logout))
        .route("/language", get(signin::switch_language))
        .route("/setup", get(setup::form).post(setup::submit))
        .route(
            "/password/forgot",
            get(password::forgot_form).post(password::forgot),
        )
        .route(
            "/reset-password",
            get(password::reset_form).post(password::reset),
        )
        .route("/account", get(account::show))
        .route("/account/language", post(account::set_language))
        .route("/account/password", post(account::change_password))
        .route(
            "/account/2fa",
            get(account::enrol_form).post(account::enrol),
        )
        .route("/account/recovery-codes", post(account::recovery_codes))
        .route(
            "/account/logout-everywhere",
            post(account::logout_everywhere),
        )
        .route("/events", get(events::stream))
        .route("/patients", get(patients::list))
        .route("/patients/search", get(patients::quick_search))
        .route(
            "/patients/new",
            get(patients::new_form).post(patients::create),
        )
        .route("/patients/{id}", get(chart::timeline_tab))
        .route(
            "/patients/{id}/edit",
            get(patients::edit_form).post(patients::update),
        )
        .route("/patients/{id}/details", get(chart::details_tab))
        .route(
            "/patients/{id}/merge",
            get(patients::merge_form).post(patients::merge),
        )
        .route("/patients/{id}/deactivate", post(chart::deactivate))
        .route("/patients/{id}/exams", get(exams::index))
        .route(
            "/patients/{id}/exams/new/{template}",
            get(exams::new_form).post(exams::submit),
        )
        .route("/patients/{id}/exams/{rid}", get(exams::view))
        .route("/admin/exam-templates", get(exams::editor::list))
        .route(
            "/admin/exam-templates/{id}",
            get(exams::editor::edit_form).post(exams::editor::save),
        )
        .route(
            "/patients/{id}/appointments",
            get(scheduling::appointment::patient_tab),
        )
        .route("/patients/{id}/labs", get(labs::index))
        .route(
            "/patients/{id}/labs/order",
            get(labs::order_form).post(labs::place_order),
        )
        .route(
            "/patients/{id}/labs/orders/{oid}/results",
            get(labs::results_form).post(labs::submit_results),
        )
        .route("/patients/{id}/labs/reports/{rid}", get(labs::report))
        .route("/patients/{id}/labs/trend/{code}", get(labs::trend))
        .route("/labs/critical", get(labs::critical))
        .route("/patients/{id}/clinical", get(clinical::overview::show))
        .route(
            "/patients/{id}/clinical/vitals",
            get(clinical::vitals::form).post(clinical::vitals::record),
        )
        .route(
            "/patients/{id}/clinical/vitals/{param}",
            get(clinical::charts::show),
        )
        .route(
            "/patients/{id}/clinical/alerts/{flag}/acknowledge",
            post(clinical::vitals::acknowledge),
        )
        .route(
            "/patients/{id}/clinical/visits",
            get(clinical::visits::list).post(clinical::visits::open),
        )
        .route(
            "/patients/{id}/clinical/visits/{visit}",
            get(clinical::visits::show),
        )
        .route(
            "/patients/{id}/clinical/visits/{visit}/note",
            post(clinical::visits::save),
        )
        .route(
            "/patients/{id}/clinical/diagnoses",
            get(clinical::records::diagnoses).post(clinical::records::add_diagnosis),
        )
        .route(
            "/patients/{id}/clinical/diagnoses/{condition}/status",
            post(clinical::records::set_status),
        )
        .route("/clinical/icd10", get(clinical::records::icd10))
        .route(
            "/patients/{id}/clinical/allergies",
            get(clinical::records::allergies).post(clinical::records::add_allergy),
        )
        .route(
            "/patients/{id}/clinical/prescriptions",
            get(clinical::prescribing::list).post(clinical::prescribing::prescribe),
        )
        .route(
            "/patients/{id}/clinical/prescriptions/{rx}/stop",
            post(clinical::prescribing::stop),
        )
        .route("/patients/{id}/anamnesis", get(anamnesis::show))
        .route(
            "/patients/{id}/clinical/device-readings",
            get(clinical::import::form).post(clinical::import::submit),
        )
        .route("/patients/{id}/anamnesis/{section}", post(anamnesis::add))
        .route("/patients/{id}/{tab}", get(chart::empty_tab))
        .route("/scheduling/resources", get(scheduling::resources::list))
        .route(
            "/scheduling/resources/new",
            get(scheduling::resources::new_form).post(scheduling::resources::create),
        )
        .route(
            "/scheduling/resources/{id}",
            get(scheduling::resources::edit_form).post(scheduling::resources::update),
        )
        .route("/scheduling/types", get(scheduling::types::list))
        .route(
            "/scheduling/types/new",
            get(scheduling::types::new_form).post(scheduling::types::create),
        )
        .route(
            "/scheduling/types/{id}",
            get(scheduling::types::edit_form).post(scheduling::types::update),
        )
        .route("/calendar", get(scheduling::calendar::show))
        .route(
            "/appointments/new",
            get(scheduling::booking::new_form).post(scheduling::booking::submit),
        )
        .route(
            "/appointments/patients",
            get(scheduling::booking::patient_options),
        )
        .route("/appointments/{id}", get(scheduling::appointment::show))
        .route(
            "/planning/series",
            get(scheduling::plan::series_form).post(scheduling::plan::series_submit),
        )
        .route(
            "/planning/optimise",
            get(scheduling::plan::day_form).post(scheduling::plan::day_submit),
        )
        .route(
            "/planning/waitlist",
            get(scheduling::plan::waitlist_form).post(scheduling::plan::waitlist_submit),
        )
        .route(
            "/appointments/{id}/reschedule",
            post(scheduling::appointment::reschedule_form),
        )
        .route(
            "/appointments/{id}/move",
            post(scheduling::appointment::move_to),
        )
        .route(
            "/appointments/{id}/cancel",
            post(scheduling::appointment::cancel),
        )
        .route(
            "/appointments/{id}/no-show",
            post(scheduling::appointment::no_show),
        )
        .route(
            "/appointments/{id}/link",
            post(scheduling::appointment::link),
        )
        .route("/queue", get(scheduling::queue::show))
        .route("/queue/{id}", post(scheduling::queue::set))
        .route("/admin/audit", get(audit::view))
        .route("/admin/audit.csv", get(audit::csv))
        .route("/admin/staff", get(admin::staff))
        .route("/admin/staff/new", get(admin::new_form).post(admin::create))
        .route(
            "/admin/staff/{id}",
            get(admin::edit_form).post(admin::update_roles),
        )
        .route("/admin/staff/{id}/{action}", post(admin::staff_action))
        .route(
            "/admin/clients/new",
            get(admin::client_form).post(admin::create_client),
        )
        .route(
            "/admin/settings",
            get(admin::settings).post(admin::save_settings),
        )
        .route(
            "/appointments/cancel/{token}",
            get(crate::scheduling::cancel_link::confirm)
                .post(crate::scheduling::cancel_link::cancel),
        )
        .route("/calendar/{file}", get(crate::scheduling::feeds::feed))
        .layer(axum::middleware::from_fn(security::headers));
    Router::new()
        .route("/assets/{version}/{name}", get(assets::serve))
        .merge(pages)
        .layer(tower_http::compression::CompressionLayer::new())
}
