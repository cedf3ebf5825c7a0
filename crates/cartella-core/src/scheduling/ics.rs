//! iCalendar (RFC 5545) output for calendar feeds: one VEVENT per appointment with a stable
//! UID, DTSTART/DTEND in UTC, text escaped and lines folded at 75 octets with CRLF endings.

/// One event of a feed; times in µs since the epoch.
#[derive(Debug, Clone)]
pub struct Event {
    pub uid: String,
    pub start: i64,
    pub end: i64,
    pub summary: String,
    /// `CONFIRMED`, `CANCELLED` or `TENTATIVE`.
    pub status: &'static str,
    /// Last change (DTSTAMP/LAST-MODIFIED), µs.
    pub stamp: i64,
}

fn utc(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// TEXT value escaping (RFC 5545 §3.3.11).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Fold a content line at 75 octets (never inside a UTF-8 character).
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The whole VCALENDAR.
pub fn calendar(name: &str, events: &[Event]) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Cartella//Planning//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push_line(&mut out, l);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    for e in events {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}", escape(&e.uid)));
        push_line(&mut out, &format!("DTSTAMP:{}", utc(e.stamp)));
        push_line(&mut out, &format!("LAST-MODIFIED:{}", utc(e.stamp)));
        push_line(&mut out, &format!("DTSTART:{}", utc(e.start)));
        push_line(&mut out, &format!("DTEND:{}", utc(e.end)));
        push_line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        push_line(&mut out, &format!("STATUS:{}", e.status));
        push_line(&mut out, "TRANSP:OPAQUE");
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_escaped_folded_and_in_utc() {
        let start = "2026-03-30T09:00:00+02:00"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_microsecond();
        let e = Event {
            uid: "a1@cartella".into(),
            start,
            end: start + 1_800_000_000,
            summary: format!("visit; M.R., {}", "é".repeat(60)),
            status: "CONFIRMED",
            stamp: start,
        };
        let ics = calendar("Dr. Rossi", &[e]);
        assert!(ics.contains("\r\nDTSTART:20260330T070000Z\r\n"), "{ics}");
        assert!(ics.contains("DTEND:20260330T073000Z"));
        assert!(ics.contains("SUMMARY:visit\\; M.R.\\, é"));
        assert!(ics.lines().all(|l| l.len() <= 76), "{ics}");
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }
}
