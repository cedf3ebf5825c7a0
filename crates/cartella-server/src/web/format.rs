//! Dates, times and numbers as each language writes them, in the practice's time zone
//! (DST handled by the time-zone database compiled into the binary).

use super::i18n::Lang;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

const MONTHS_SHORT: [[&str; 12]; 4] = [
    [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    [
        "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
    ],
    [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ],
    [
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.",
        "Dez.",
    ],
];

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::En => 0,
        Lang::It => 1,
        Lang::Fr => 2,
        Lang::De => 3,
    }
}

/// A numeric date: 23/11/2026 (it, fr, en-GB), 23.11.2026 (de).
pub fn date(lang: Lang, d: Date) -> String {
    let sep = if lang == Lang::De { '.' } else { '/' };
    format!("{:02}{sep}{:02}{sep}{:04}", d.day(), d.month(), d.year())
}

/// A readable date: 23 Nov 2026, 23 nov 2026, 23 nov. 2026, 23. Nov. 2026.
pub fn date_long(lang: Lang, d: Date) -> String {
    let month = MONTHS_SHORT[lang_index(lang)][(d.month() - 1) as usize];
    match lang {
        Lang::De => format!("{}. {month} {}", d.day(), d.year()),
        _ => format!("{} {month} {}", d.day(), d.year()),
    }
}

/// Date and 24-hour time in the practice's zone.
pub fn datetime(lang: Lang, tz: &TimeZone, at: Timestamp) -> String {
    let z = at.to_zoned_datetime(tz.clone());
    let time = format!("{:02}:{:02}", z.hour(), z.minute());
    match lang {
        Lang::De => format!("{} {time}", date(lang, z.date())),
        Lang::Fr => format!("{} à {time}", date(lang, z.date())),
        _ => format!("{} {time}", date(lang, z.date())),
    }
}

/// A decimal number with the language's decimal separator.
pub fn decimal(lang: Lang, value: f64, places: usize) -> String {
    let s = format!("{value:.places$}");
    match lang {
        Lang::En => s,
        _ => s.replace('.', ","),
    }
}

/// Whole years between a birth date and today (in the practice's zone).
pub fn age_years(birth: Date, today: Date) -> i16 {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// The practice's zone; an unknown name falls back to UTC (settings validate names on save).
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// Parse a date the way people type it: ISO `2026-11-23`, or day first with `/`, `.` or `-`.
pub fn parse_date(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    if let Ok(d) = raw.parse::<Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = raw.split(['/', '.', '-']).collect();
    if let [d, m, y] = parts.as_slice()
        && y.len() == 4
    {
        return Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_language() {
        let d = Date::new(2026, 3, 9).unwrap();
        assert_eq!(date(Lang::It, d), "09/03/2026");
        assert_eq!(date(Lang::De, d), "09.03.2026");
        assert_eq!(date_long(Lang::De, d), "9. März 2026");
        assert_eq!(date_long(Lang::Fr, d), "9 mars 2026");
        assert_eq!(decimal(Lang::It, 37.5, 1), "37,5");
        assert_eq!(decimal(Lang::En, 1.25, 2), "1.25");
    }

    #[test]
    fn rome_times_are_dst_correct() {
        let tz = zone("Europe/Rome");
        // 29 March 2026 is the spring-forward Sunday: 00:30 UTC is 01:30 CET, 01:30 UTC is 03:30 CEST.
        let before: Timestamp = "2026-03-29T00:30:00Z".parse().unwrap();
        let after: Timestamp = "2026-03-29T01:30:00Z".parse().unwrap();
        assert_eq!(datetime(Lang::It, &tz, before), "29/03/2026 01:30");
        assert_eq!(datetime(Lang::It, &tz, after), "29/03/2026 03:30");
        // 25 October 2026 falls back: 01:30 UTC is 02:30 CET.
        let autumn: Timestamp = "2026-10-25T01:30:00Z".parse().unwrap();
        assert_eq!(datetime(Lang::De, &tz, autumn), "25.10.2026 02:30");
    }

    #[test]
    fn typed_dates_parse_day_first() {
        let want = Date::new(1980, 2, 7).unwrap();
        for raw in ["1980-02-07", "07/02/1980", "7.2.1980", "07-02-1980"] {
            assert_eq!(parse_date(raw), Some(want), "{raw}");
        }
        assert_eq!(parse_date("31/02/1980"), None);
        assert_eq!(parse_date("smith"), None);
    }

    #[test]
    fn age_counts_birthdays() {
        let b = Date::new(1980, 11, 24).unwrap();
        assert_eq!(age_years(b, Date::new(2026, 11, 23).unwrap()), 45);
        assert_eq!(age_years(b, Date::new(2026, 11, 24).unwrap()), 46);
    }
}
