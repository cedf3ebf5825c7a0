//! The geometry of a lab trend chart: values over time scaled into an SVG viewBox, the
//! reference band behind them, flagged values marked; the template draws the shapes (so the
//! page stays auto-escaped and needs no script).

use serde::Serialize;

pub const WIDTH: f64 = 720.0;
pub const HEIGHT: f64 = 280.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;

/// One value: seconds since the epoch, the value, whether it is outside its range.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub at: i64,
    pub value: f64,
    pub flagged: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub flagged: bool,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tick {
    pub y: f64,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    /// `(y, height)` of the reference band, when the range has at least one bound.
    pub band: Option<(f64, f64)>,
    pub dots: Vec<Dot>,
    /// `x,y x,y …` for a `<polyline points=…>`.
    pub line: String,
    pub ticks: Vec<Tick>,
}

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Lays out `points` (any order) with the band `(low, high)`; the value axis covers the values
/// and the band with a margin, the time axis spans the first to the last point.
pub fn layout(points: &[Point], band: (Option<f64>, Option<f64>)) -> Chart {
    let mut pts = points.to_vec();
    pts.sort_by_key(|p| p.at);
    let mut vals: Vec<f64> = pts.iter().map(|p| p.value).collect();
    vals.extend(band.0);
    vals.extend(band.1);
    let (mut lo, mut hi) = vals
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.1
    } else {
        lo.abs().max(1.0) * 0.1
    };
    lo -= pad;
    hi += pad;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let plot_w = WIDTH - LEFT - RIGHT;
    let y = |v: f64| r1(TOP + (hi - v) / (hi - lo) * plot_h);
    let (t0, t1) = (
        pts.first().map_or(0, |p| p.at),
        pts.last().map_or(0, |p| p.at),
    );
    let x = |t: i64| {
        if t1 > t0 {
            r1(LEFT + (t - t0) as f64 / (t1 - t0) as f64 * plot_w)
        } else {
            r1(LEFT + plot_w / 2.0)
        }
    };
    let dots: Vec<Dot> = pts
        .iter()
        .map(|p| Dot {
            x: x(p.at),
            y: y(p.value),
            flagged: p.flagged,
            value: p.value,
        })
        .collect();
    let line = dots
        .iter()
        .map(|d| format!("{},{}", d.x, d.y))
        .collect::<Vec<_>>()
        .join(" ");
    let band = match band {
        (None, None) => None,
        (l, h) => {
            let top = y(h.unwrap_or(hi));
            let bottom = y(l.unwrap_or(lo));
            Some((top, r1(bottom - top)))
        }
    };
    let ticks = (0..=4)
        .map(|i| {
            let v = lo + (hi - lo) * f64::from(i) / 4.0;
            Tick {
                y: y(v),
                label: super::units::tidy((v * 100.0).round() / 100.0).to_string(),
            }
        })
        .collect();
    Chart {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right: WIDTH - RIGHT,
        top: TOP,
        bottom: HEIGHT - BOTTOM,
        band,
        dots,
        line,
        ticks,
    }
}
