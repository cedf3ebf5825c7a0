//! Conflict detection that reports every conflict, not the first: for a proposed appointment,
//! each resource's overlapping bookings, closed hours and exceptions, buffer/changeover
//! violations, a patient already booked, and required roles nobody fills.

use super::Span;
use super::calendar::{Closed, ResourceCalendar};
use serde::Serialize;

/// An existing booking (the span includes its own buffers, as stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub appointment_id: String,
    pub actor: String,
    pub span: Span,
}

/// What is proposed: the appointment's own span, its buffers, who takes part.
#[derive(Debug, Clone, Default)]
pub struct Proposal {
    /// Set when rescheduling: its own bookings are not conflicts.
    pub appointment_id: Option<String>,
    pub span: Span,
    pub buffer_before: i64,
    pub buffer_after: i64,
    /// Non-patient actors (practitioners, rooms, devices).
    pub resources: Vec<String>,
    pub patient: Option<String>,
    /// Roles the appointment type requires, one resource each.
    pub required_roles: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The resource is booked over the appointment's time.
    Booked,
    /// Only the buffers (preparation/changeover) overlap another booking.
    Buffer,
    PatientBooked,
    OutsideHours,
    /// Holiday, leave, maintenance…
    Unavailable,
    MissingResource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub kind: Kind,
    /// The resource concerned (`Practitioner/x`), or the missing role.
    pub resource: String,
    /// The colliding booking's appointment, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment: Option<String>,
    /// The colliding booking or exception, µs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// Exception reason (`holiday`, `leave`, `maintenance`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Span", 2)?;
        st.serialize_field("start", &self.start)?;
        st.serialize_field("end", &self.end)?;
        st.end()
    }
}

/// Every conflict of `p` against the calendars (by actor) and existing bookings.
pub fn detect(
    p: &Proposal,
    calendars: &[ResourceCalendar],
    bookings: &[Existing],
) -> Vec<Conflict> {
    let mut out = Vec::new();
    let held = Span::new(p.span.start - p.buffer_before, p.span.end + p.buffer_after);
    let foreign = |b: &&Existing| p.appointment_id.as_deref() != Some(b.appointment_id.as_str());
    for actor in &p.resources {
        if let Some(cal) = calendars.iter().find(|c| &c.actor == actor) {
            for closed in cal.closed(&p.span) {
                out.push(match closed {
                    Closed::OutsideHours => conflict(Kind::OutsideHours, actor, None, None, None),
                    Closed::Exception(e) => {
                        conflict(Kind::Unavailable, actor, None, Some(e.span), Some(e.reason))
                    }
                });
            }
        }
        for b in bookings
            .iter()
            .filter(foreign)
            .filter(|b| &b.actor == actor)
        {
            let kind = if b.span.overlaps(&p.span) {
                Kind::Booked
            } else if b.span.overlaps(&held) {
                Kind::Buffer
            } else {
                continue;
            };
            out.push(conflict(
                kind,
                actor,
                Some(&b.appointment_id),
                Some(b.span),
                None,
            ));
        }
    }
    if let Some(patient) = &p.patient {
        for b in bookings
            .iter()
            .filter(foreign)
            .filter(|b| &b.actor == patient)
        {
            if b.span.overlaps(&p.span) {
                out.push(conflict(
                    Kind::PatientBooked,
                    patient,
                    Some(&b.appointment_id),
                    Some(b.span),
                    None,
                ));
            }
        }
    }
    for role in missing_roles(&p.required_roles, &p.resources, calendars) {
        out.push(conflict(Kind::MissingResource, &role, None, None, None));
    }
    out
}

/// Required roles that no distinct resource of `resources` fills (greedy: the scarcest role
/// first, so a resource with several roles is kept for where it is needed).
pub fn missing_roles(
    required: &[String],
    resources: &[String],
    calendars: &[ResourceCalendar],
) -> Vec<String> {
    let roles_of = |a: &String| {
        calendars
            .iter()
            .find(|c| &c.actor == a)
            .map(|c| c.roles.clone())
            .unwrap_or_default()
    };
    let mut pool: Vec<(String, Vec<String>)> =
        resources.iter().map(|a| (a.clone(), roles_of(a))).collect();
    let mut order: Vec<&String> = required.iter().collect();
    order.sort_by_key(|r| pool.iter().filter(|(_, rs)| rs.contains(r)).count());
    let mut missing = Vec::new();
    for role in order {
        match pool.iter().position(|(_, rs)| rs.contains(role)) {
            Some(i) => {
                pool.remove(i);
            }
            None => missing.push(role.clone()),
        }
    }
    missing
}

fn conflict(
    kind: Kind,
    resource: &str,
    appointment: Option<&str>,
    span: Option<Span>,
    reason: Option<String>,
) -> Conflict {
    Conflict {
        kind,
        resource: resource.to_owned(),
        appointment: appointment.map(str::to_owned),
        span,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::MINUTE;
    use crate::scheduling::calendar::Exception;

    fn cal(actor: &str, roles: &[&str]) -> ResourceCalendar {
        ResourceCalendar {
            actor: actor.into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            tz: jiff::tz::TimeZone::UTC,
            weekly: None,
            exceptions: vec![],
        }
    }

    #[test]
    fn surgery_reports_every_busy_resource_and_missing_role() {
        let mut cals = vec![
            cal("Location/theatre", &["theatre"]),
            cal("Practitioner/surgeon", &["surgeon"]),
            cal("Practitioner/anaesth", &["anaesthetist"]),
            cal("Practitioner/nurse", &["nurse"]),
        ];
        cals[3].exceptions.push(Exception {
            span: Span::new(0, 1000 * MINUTE),
            reason: "leave".into(),
        });
        let existing = vec![
            Existing {
                appointment_id: "a1".into(),
                actor: "Location/theatre".into(),
                span: Span::new(60 * MINUTE, 120 * MINUTE),
            },
            Existing {
                appointment_id: "a2".into(),
                actor: "Practitioner/surgeon".into(),
                span: Span::new(100 * MINUTE, 200 * MINUTE),
            },
            Existing {
                appointment_id: "a3".into(),
                actor: "Practitioner/anaesth".into(),
                span: Span::new(190 * MINUTE, 230 * MINUTE),
            },
            Existing {
                appointment_id: "a4".into(),
                actor: "Patient/p".into(),
                span: Span::new(0, 100 * MINUTE),
            },
        ];
        let p = Proposal {
            span: Span::new(90 * MINUTE, 180 * MINUTE),
            buffer_after: 15 * MINUTE,
            resources: vec![
                "Location/theatre".into(),
                "Practitioner/surgeon".into(),
                "Practitioner/anaesth".into(),
                "Practitioner/nurse".into(),
            ],
            patient: Some("Patient/p".into()),
            required_roles: vec![
                "theatre".into(),
                "surgeon".into(),
                "anaesthetist".into(),
                "nurse".into(),
                "device".into(),
            ],
            ..Default::default()
        };
        let found = detect(&p, &cals, &existing);
        let got: Vec<(Kind, &str)> = found
            .iter()
            .map(|c| (c.kind, c.resource.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Kind::Booked, "Location/theatre"),
                (Kind::Booked, "Practitioner/surgeon"),
                (Kind::Buffer, "Practitioner/anaesth"),
                (Kind::Unavailable, "Practitioner/nurse"),
                (Kind::PatientBooked, "Patient/p"),
                (Kind::MissingResource, "device"),
            ]
        );
        // Rescheduling an appointment does not conflict with itself.
        let p2 = Proposal {
            appointment_id: Some("a1".into()),
            required_roles: vec![],
            ..p
        };
        assert!(detect(&p2, &cals[..1], &existing[..1]).is_empty());
    }
}
