//! The geometry of a vitals chart, computed here and drawn by the template as inline SVG (so
//! every label is auto-escaped): the value line, one dot per reading coloured by its flag, the
//! reference band, and axis ticks with dates in the user's language.

use crate::web::format;
use crate::web::i18n::Lang;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

pub const WIDTH: f64 = 720.0;
pub const HEIGHT: f64 = 300.0;
/// Room for the axis labels.
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 34.0;
/// Beyond this many readings only the flagged ones get a dot (the line shows the rest).
const MAX_DOTS: usize = 400;

pub struct Reading<'a> {
    pub at: Timestamp,
    pub value: f64,
    pub flag: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    /// `normal`, `abnormal` (H/L) or `critical` (HH/LL).
    pub class: &'static str,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct Tick {
    pub pos: f64,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct Plot {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    /// The reference band: y and height.
    pub band: Option<(f64, f64)>,
    pub line: String,
    pub dots: Vec<Dot>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn class_of(flag: Option<&str>) -> &'static str {
    match flag {
        Some("HH" | "LL") => "critical",
        Some("H" | "L" | "A") => "abnormal",
        _ => "normal",
    }
}

/// A "nice" step for about `n` ticks over `span`.
fn step(span: f64, n: f64) -> f64 {
    let raw = (span / n).max(f64::EPSILON);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// Lays out `readings` (oldest first) between `from` (or the first reading) and `to`.
pub fn plot(
    readings: &[Reading<'_>],
    band: (Option<f64>, Option<f64>),
    from: Option<Timestamp>,
    to: Timestamp,
    lang: Lang,
    tz: &TimeZone,
) -> Plot {
    let start = from
        .or_else(|| readings.first().map(|r| r.at))
        .unwrap_or(to);
    let end = readings.last().map_or(to, |r| r.at.max(to));
    let (t0, t1) = (start.as_second() as f64, end.as_second() as f64);
    let t_span = (t1 - t0).max(86_400.0);
    let values = readings.iter().map(|r| r.value).chain(band.0).chain(band.1);
    let (mut lo, mut hi) = values.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.1).max(1.0);
    let s = step(hi - lo + 2.0 * pad, 5.0);
    let (lo, hi) = (((lo - pad) / s).floor() * s, ((hi + pad) / s).ceil() * s);
    let (pw, ph) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let x = |t: Timestamp| round(LEFT + (t.as_second() as f64 - t0) / t_span * pw);
    let y = |v: f64| round(TOP + (hi - v) / (hi - lo) * ph);
    let places = |v: f64| if v.fract() == 0.0 { 0 } else { 1 };
    let band = match band {
        (None, None) => None,
        (l, h) => {
            let top = y(h.unwrap_or(hi).min(hi));
            let bottom = y(l.unwrap_or(lo).max(lo));
            Some((top, round(bottom - top)))
        }
    };
    let line = readings
        .iter()
        .map(|r| format!("{},{}", x(r.at), y(r.value)))
        .collect::<Vec<_>>()
        .join(" ");
    let many = readings.len() > MAX_DOTS;
    let dots = readings
        .iter()
        .filter(|r| !many || class_of(r.flag) != "normal")
        .map(|r| Dot {
            x: x(r.at),
            y: y(r.value),
            class: class_of(r.flag),
            label: format!(
                "{} · {}{}",
                format::datetime(lang, tz, r.at),
                format::decimal(lang, r.value, places(r.value)),
                r.flag.map(|f| format!(" ({f})")).unwrap_or_default()
            ),
        })
        .collect();
    let mut y_ticks = Vec::new();
    let mut v = lo;
    while v <= hi + s / 2.0 {
        y_ticks.push(Tick {
            pos: y(v),
            label: format::decimal(lang, v, places(s)),
        });
        v += s;
    }
    let x_ticks = (0..=4)
        .map(|i| {
            let t = t0 + t_span * f64::from(i) / 4.0;
            let at = Timestamp::from_second(t as i64).unwrap_or(to);
            Tick {
                pos: round(LEFT + pw * f64::from(i) / 4.0),
                label: format::date_long(lang, at.to_zoned_datetime(tz.clone()).date()),
            }
        })
        .collect();
    Plot {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right: WIDTH - RIGHT,
        top: TOP,
        bottom: HEIGHT - BOTTOM,
        band,
        line,
        dots,
        y_ticks,
        x_ticks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + day * 86_400).unwrap()
    }

    #[test]
    fn points_fall_inside_the_plot_and_flags_pick_the_colour() {
        let r = [
            Reading {
                at: at(0),
                value: 120.0,
                flag: None,
            },
            Reading {
                at: at(10),
                value: 185.0,
                flag: Some("HH"),
            },
            Reading {
                at: at(20),
                value: 145.0,
                flag: Some("H"),
            },
        ];
        let p = plot(
            &r,
            (Some(90.0), Some(140.0)),
            None,
            at(20),
            Lang::It,
            &TimeZone::UTC,
        );
        assert_eq!(p.dots.len(), 3);
        assert_eq!(p.dots[1].class, "critical");
        assert_eq!(p.dots[2].class, "abnormal");
        assert_eq!(p.dots[0].x, LEFT);
        assert_eq!(p.dots[2].x, WIDTH - RIGHT);
        // The highest value is the highest point (smallest y), inside the plot.
        assert!(p.dots[1].y < p.dots[2].y && p.dots[1].y >= TOP);
        let (top, h) = p.band.unwrap();
        assert!(top > p.dots[1].y && top + h < HEIGHT - BOTTOM);
        // Dates in the user's language (Italian month abbreviations).
        assert!(p.x_ticks[0].label.contains("nov"), "{:?}", p.x_ticks[0]);
        assert!(p.dots[2].label.contains("145"));
    }

    #[test]
    fn empty_and_single_series_do_not_divide_by_zero() {
        let p = plot(&[], (None, None), None, at(0), Lang::En, &TimeZone::UTC);
        assert!(p.dots.is_empty() && p.band.is_none());
        let one = [Reading {
            at: at(0),
            value: 37.0,
            flag: None,
        }];
        let p = plot(&one, (None, None), None, at(0), Lang::En, &TimeZone::UTC);
        assert!(p.dots[0].y.is_finite() && p.dots[0].x.is_finite());
    }
}
