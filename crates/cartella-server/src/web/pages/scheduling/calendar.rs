//! Day and week calendars of one resource: a server-rendered time grid in the practice time
//! zone (rows are local wall-clock quarter hours, so 09:00 is 09:00 on both sides of a DST
//! change), appointments placed by local start and end, closed hours and exceptions shaded.
//! Each free quarter links to the booking form; `calendar.js` drags appointments to a new
//! start. The grid re-fetches itself when an Appointment changes.

use super::super::super::format;
use super::super::super::render::html;
use super::super::super::session::{Web, url_encode};
use super::{hhmm, name_of, tz};
use crate::AppState;
use crate::scheduling::{service, views};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartella_core::scheduling::calendar::ResourceCalendar;
use cartella_core::scheduling::zone::{local_to_instant, start_of_day, to_local};
use cartella_core::scheduling::{MINUTE, Span, holds_time};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use minijinja::{Value, context};
use serde::Deserialize;

/// Minutes per grid row.
const STEP: i64 = 15;

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    #[serde(default)]
    resource: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    view: String,
}

/// The local hours shown: from the earliest opening (or appointment) to the latest close,
/// 08-18 when nothing says otherwise.
fn visible_hours(open: &[Span], appts: &[views::Entry], tz: &TimeZone) -> (i64, i64) {
    let mut first = 24;
    let mut last = 0;
    let spans = open
        .iter()
        .map(|s| (s.start, s.end))
        .chain(appts.iter().filter_map(|a| Some((a.start?, a.end?))));
    for (s, e) in spans {
        let (ls, le) = (to_local(s, tz), to_local(e - 1, tz));
        first = first.min(ls.hour() as i64);
        last = last.max(le.hour() as i64 + 1);
    }
    if first >= last {
        (8, 18)
    } else {
        (first, last)
    }
}

/// One day column: its cells (open / closed / away / gap) and appointments placed on rows.
fn day_column(
    date: Date,
    hours: (i64, i64),
    cal: &ResourceCalendar,
    open: &[Span],
    appts: &[views::Entry],
    tz: &TimeZone,
) -> Value {
    let rows = (hours.1 - hours.0) * 60 / STEP;
    let cells: Vec<Value> = (0..rows)
        .map(|r| {
            let minute = hours.0 * 60 + r * STEP;
            let time =
                Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).unwrap_or_default();
            let local = date.to_datetime(time);
            // A quarter that does not exist locally (spring-forward gap) cannot be booked.
            let Ok(at) = local_to_instant(tz, local) else {
                return context! { row => r + 1, state => "gap" };
            };
            let quarter = Span::new(at, at + STEP * MINUTE);
            let away = cal.exceptions.iter().find(|e| e.span.overlaps(&quarter));
            let state = if away.is_some() {
                "away"
            } else if open.iter().any(|o| o.contains(&quarter)) {
                "open"
            } else {
                "closed"
            };
            context! {
                row => r + 1, state, label => format!("{:02}:{:02}", minute / 60, minute % 60),
                start => format!("{date}T{:02}:{:02}", minute / 60, minute % 60),
                reason => away.map(|e| e.reason.clone()),
            }
        })
        .collect();
    let placed: Vec<Value> = appts
        .iter()
        .filter_map(|a| {
            let (s, e) = (a.start?, a.end?);
            let ls = to_local(s, tz);
            if ls.date() != date {
                return None;
            }
            let from = ls.hour() as i64 * 60 + ls.minute() as i64 - hours.0 * 60;
            let row = (from / STEP).clamp(0, rows - 1);
            let span = ((e - s) / MINUTE + from % STEP + STEP - 1) / STEP;
            let span = span.clamp(1, (rows - row).max(1));
            Some(context! {
                row => row + 1, span, id => &a.id, version => a.version, status => &a.status,
                start => hhmm(s, tz), end => hhmm(e, tz), patient_name => &a.patient_name,
                kind => &a.kind, minutes => (e - s) / MINUTE,
            })
        })
        .collect();
    context! { date => date.to_string(), weekday => date.weekday().to_monday_one_offset(), cells, appointments => placed }
}

pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<CalendarQuery>,
) -> Response {
    let tz = tz(&web);
    let model = match service::model(&state, &web.ctx).await {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e.message, "calendar: planning model unreadable");
            return super::store_failure(
                web.lang,
                &cartella_store::StoreError::Internal(e.message),
            );
        }
    };
    let names = super::names(&state, &web).await;
    let today = jiff::Timestamp::now().to_zoned_datetime(tz.clone()).date();
    let date = format::parse_date(&q.date).unwrap_or(today);
    let week = q.view != "day";
    let resources: Vec<Value> = model
        .calendars
        .iter()
        .map(|c| context! { actor => &c.actor, name => name_of(&names, &c.actor) })
        .collect();
    let Some(cal) = model
        .calendar(&q.resource)
        .or_else(|| model.calendars.first())
    else {
        return html(
            StatusCode::OK,
            "scheduling/calendar.html",
            web.page(context! { resources, empty => true }),
        );
    };
    let first = if week {
        date.checked_sub(jiff::Span::new().days(date.weekday().to_monday_zero_offset() as i64))
            .unwrap_or(date)
    } else {
        date
    };
    let count = if week { 7 } else { 1 };
    let days: Vec<Date> = (0..count)
        .filter_map(|i| first.checked_add(jiff::Span::new().days(i)).ok())
        .collect();
    let last = days.last().copied().unwrap_or(first);
    let span = Span::new(
        start_of_day(&tz, first),
        start_of_day(&tz, last.tomorrow().unwrap_or(last)),
    );
    let appts: Vec<views::Entry> =
        match views::between(&state.store, &web.ctx, span, Some(&cal.actor)).await {
            Ok(list) => list.into_iter().filter(|a| holds_time(&a.status)).collect(),
            Err(e) => return super::store_failure(web.lang, &e),
        };
    let open = cal.open_spans(span.start, span.end);
    // The grid spans the working hours even on a day of leave (shaded, not hidden).
    let mut weekly = cal.clone();
    weekly.exceptions.clear();
    let hours = visible_hours(&weekly.open_spans(span.start, span.end), &appts, &tz);
    let columns: Vec<Value> = days
        .iter()
        .map(|d| day_column(*d, hours, cal, &open, &appts, &tz))
        .collect();
    let times: Vec<Value> = (hours.0..hours.1)
        .map(|h| context! { row => (h - hours.0) * 60 / STEP + 1, label => format!("{h:02}:00") })
        .collect();
    let step = if week { 7 } else { 1 };
    let nav = |d: Date, n: i64| {
        d.checked_add(jiff::Span::new().days(n))
            .unwrap_or(d)
            .to_string()
    };
    let view = if week { "week" } else { "day" };
    let base = format!("/calendar?resource={}&view={view}", url_encode(&cal.actor));
    html(
        StatusCode::OK,
        "scheduling/calendar.html",
        web.page(context! {
            resources, resource => &cal.actor, resource_q => url_encode(&cal.actor), resource_name => name_of(&names, &cal.actor),
            view, date => date.to_string(), columns, times,
            rows => (hours.1 - hours.0) * 60 / STEP,
            prev_url => format!("{base}&date={}", nav(date, -step)),
            next_url => format!("{base}&date={}", nav(date, step)),
            today_url => format!("{base}&date={today}"),
            self_url => format!("{base}&date={date}"),
            day_url => format!("/calendar?resource={}&view=day", url_encode(&cal.actor)),
            week_url => format!("/calendar?resource={}&view=week&date={date}", url_encode(&cal.actor)),
        }),
    )
}
