//! A small line chart drawn as SVG on the server. A tap, hover or keyboard
//! focus on a day shows its values: each day is a focusable group and CSS
//! (`:has`, rules written with the chart) shows the day's line and readout, so
//! it works with JavaScript off too and costs the WASM nothing (as an island it
//! cost about 15 KB of brotli). Our own: the Rust chart crates draw to
//! files or canvases (plotters) or pull a JavaScript library (charming), and none
//! renders Leptos 0.8 views on the server.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How a chart writes its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ValueFormat {
    /// Hours, one decimal.
    Hours,
    /// Whole points.
    Score,
}

impl ValueFormat {
    pub fn text(self, v: f64) -> String {
        match self {
            ValueFormat::Hours => format!("{v:.1}"),
            ValueFormat::Score => format!("{v:.0}"),
        }
    }
}

/// Drawing area inside the view box.
pub const WIDTH: f64 = 360.0;
pub const HEIGHT: f64 = 150.0;
const LEFT: f64 = 34.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 20.0;
const RIGHT: f64 = 6.0;

/// The next "round" number at or above `v` (1, 2, 2.5, 5 × a power of ten); 1 for
/// zero or less, so an empty chart still has a scale.
pub fn nice_ceiling(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(v.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        let candidate = step * power;
        if candidate >= v - power * 1e-9 {
            return candidate;
        }
    }
    10.0 * power
}

/// The value range a chart shows: from 0 (or the lowest value, rounded down the
/// same way, when some are negative) to the highest, rounded up.
pub fn domain(values: &[f64]) -> (f64, f64) {
    let hi = values.iter().copied().fold(0.0f64, f64::max);
    let lo = values.iter().copied().fold(0.0f64, f64::min);
    let hi = nice_ceiling(hi);
    let lo = if lo < 0.0 { -nice_ceiling(-lo) } else { 0.0 };
    (lo, hi)
}

/// The horizontal position of point `i` of `n`.
pub fn x_at(i: usize, n: usize) -> f64 {
    let inner = WIDTH - LEFT - RIGHT;
    if n <= 1 {
        return LEFT + inner / 2.0;
    }
    LEFT + inner * i as f64 / (n - 1) as f64
}

/// The vertical position of `v` in `(lo, hi)` (SVG y grows downwards).
pub fn y_at(v: f64, (lo, hi): (f64, f64)) -> f64 {
    let inner = HEIGHT - TOP - BOTTOM;
    let span = if hi > lo { hi - lo } else { 1.0 };
    let v = v.clamp(lo, hi);
    TOP + inner * (hi - v) / span
}

/// An SVG path through the values.
pub fn path(values: &[f64], range: (f64, f64)) -> String {
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        out.push_str(&format!(
            "{cmd}{:.1} {:.1} ",
            x_at(i, values.len()),
            y_at(*v, range)
        ));
    }
    out.trim_end().to_string()
}

/// One line of a chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub label: String,
    pub values: Vec<f64>,
}

/// Two lines (the person and their department's average) over days, with the
/// days in `marked` shaded (a new rep's first two weeks).
#[component]
pub fn LineChart(
    mine: Series,
    average: Series,
    /// One label per point (the day).
    days: Vec<String>,
    marked: Vec<bool>,
    /// How the labels write a value.
    format: ValueFormat,
    /// Also the figure's id, which the chart's style rules name.
    testid: String,
    /// The legend for the shaded days.
    marked_label: String,
) -> impl IntoView {
    let fmt = move |v: f64| format.text(v);
    let all: Vec<f64> = mine.values.iter().chain(&average.values).copied().collect();
    let range = domain(&all);
    let n = days.len();
    let step = if n > 1 {
        x_at(1, n) - x_at(0, n)
    } else {
        WIDTH
    };
    let shade: Vec<_> = marked
        .iter()
        .enumerate()
        .filter(|(_, m)| **m)
        .map(|(i, _)| {
            view! {
                <rect class="chart-marked" x=format!("{:.1}", x_at(i, n) - step / 2.0) y=TOP
                    width=format!("{:.1}", step) height=HEIGHT - TOP - BOTTOM />
            }
        })
        .collect();
    let grid: Vec<_> = [range.0, (range.0 + range.1) / 2.0, range.1]
        .into_iter()
        .chain((range.0 < 0.0).then_some(0.0))
        .map(|v| {
            let y = format!("{:.1}", y_at(v, range));
            view! {
                <line class="chart-grid" x1=LEFT x2=WIDTH - RIGHT y1=y.clone() y2=y.clone() />
                <text class="chart-tick" x=LEFT - 4.0 y=y text-anchor="end" dominant-baseline="middle">{fmt(v)}</text>
            }
        })
        .collect();
    let first = days.first().cloned().unwrap_or_default();
    let last = days.last().cloned().unwrap_or_default();
    let readout = |i: usize| {
        format!(
            "{} · {} {} · {} {}",
            days[i],
            mine.label,
            mine.values.get(i).map(|v| fmt(*v)).unwrap_or_default(),
            average.label,
            average.values.get(i).map(|v| fmt(*v)).unwrap_or_default()
        )
    };
    let hits: Vec<_> = (0..n)
        .map(|i| {
            let x = format!("{:.1}", x_at(i, n));
            view! {
                <g class="chart-day" data-i=i tabindex="0">
                    <rect class="chart-hit" x=format!("{:.1}", x_at(i, n) - step / 2.0) y=0
                        width=format!("{:.1}", step) height=HEIGHT />
                    <line class="chart-guide" x1=x.clone() x2=x y1=TOP y2=HEIGHT - BOTTOM />
                    <title>{readout(i)}</title>
                </g>
            }
        })
        .collect();
    let readouts: Vec<_> = (0..n)
        .map(|i| view! { <span data-i=i>{readout(i)}</span> })
        .collect();
    let rules = readout_rules(&testid, n);
    let has_marked = marked.iter().any(|m| *m);
    view! {
        <figure class="chart" id=testid.clone() data-testid=testid>
            <style inner_html=rules></style>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=mine.label.clone()>
                {shade}
                {grid}
                <path class="chart-line average" d=path(&average.values, range) />
                <path class="chart-line mine" d=path(&mine.values, range) />
                <text class="chart-tick" x=LEFT y=HEIGHT - 4.0>{first}</text>
                <text class="chart-tick" x=WIDTH - RIGHT y=HEIGHT - 4.0 text-anchor="end">{last}</text>
                {hits}
            </svg>
            <figcaption class="small">
                <span class="legend mine">{mine.label.clone()}</span>
                <span class="legend average">{average.label.clone()}</span>
                {has_marked.then(|| view! { <span class="legend marked">{marked_label}</span> })}
                <span class="chart-readout muted" data-testid="chart-readout" aria-live="polite">{readouts}</span>
            </figcaption>
        </figure>
    }
}

/// The style rules that show day `i`'s readout while its group is hovered or
/// focused (a tap focuses it), for the chart whose figure has the id `chart`.
pub fn readout_rules(chart: &str, days: usize) -> String {
    (0..days)
        .map(|i| {
            format!(
                "#{chart}:has(.chart-day[data-i=\"{i}\"]:is(:hover,:focus)) .chart-readout>[data-i=\"{i}\"]{{display:inline}}"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(0.0, 1.0)]
    #[case(-3.0, 1.0)]
    #[case(f64::NAN, 1.0)]
    #[case(0.7, 1.0)]
    #[case(1.0, 1.0)]
    #[case(1.2, 2.0)]
    #[case(2.1, 2.5)]
    #[case(7.3, 10.0)]
    #[case(8.0, 10.0)]
    #[case(10.0, 10.0)]
    #[case(42.0, 50.0)]
    #[case(230.0, 250.0)]
    fn nice_ceilings(#[case] v: f64, #[case] expected: f64) {
        assert!(
            (nice_ceiling(v) - expected).abs() < 1e-9,
            "{v} → {}",
            nice_ceiling(v)
        );
    }

    #[rstest]
    #[case(&[], (0.0, 1.0))]
    #[case(&[3.0, 7.5, 8.0], (0.0, 10.0))]
    #[case(&[-12.0, 30.0], (-20.0, 50.0))]
    fn domains(#[case] values: &[f64], #[case] expected: (f64, f64)) {
        assert_eq!(domain(values), expected);
    }

    #[test]
    fn positions_fill_the_drawing_area() {
        assert_eq!(x_at(0, 28), LEFT);
        assert!((x_at(27, 28) - (WIDTH - RIGHT)).abs() < 1e-9);
        assert_eq!(x_at(0, 1), LEFT + (WIDTH - LEFT - RIGHT) / 2.0);
        let r = (0.0, 10.0);
        assert_eq!(y_at(10.0, r), TOP);
        assert_eq!(y_at(0.0, r), HEIGHT - BOTTOM);
        // out of range values stay inside
        assert_eq!(y_at(99.0, r), TOP);
        // a negative domain puts zero inside the area
        let zero = y_at(0.0, (-10.0, 10.0));
        assert!((zero - (TOP + (HEIGHT - TOP - BOTTOM) / 2.0)).abs() < 1e-9);
    }

    #[rstest]
    #[case(ValueFormat::Hours, 7.26, "7.3")]
    #[case(ValueFormat::Hours, 0.0, "0.0")]
    #[case(ValueFormat::Score, 41.6, "42")]
    #[case(ValueFormat::Score, -3.0, "-3")]
    fn value_formats(#[case] format: ValueFormat, #[case] v: f64, #[case] expected: &str) {
        assert_eq!(format.text(v), expected);
    }

    #[test]
    fn each_day_has_one_rule_naming_its_chart() {
        let rules = readout_rules("time-curve", 3);
        assert_eq!(rules.matches("#time-curve:has(").count(), 3);
        for i in 0..3 {
            assert!(rules.contains(&format!(
                ".chart-day[data-i=\"{i}\"]:is(:hover,:focus)) .chart-readout>[data-i=\"{i}\"]"
            )));
        }
        assert_eq!(readout_rules("x", 0), "");
    }

    #[test]
    fn paths_visit_every_point() {
        let p = path(&[0.0, 5.0, 10.0], (0.0, 10.0));
        assert_eq!(p.matches('M').count(), 1);
        assert_eq!(p.matches('L').count(), 2);
        assert!(p.starts_with(&format!("M{:.1} {:.1}", LEFT, HEIGHT - BOTTOM)));
        assert!(p.ends_with(&format!("L{:.1} {:.1}", WIDTH - RIGHT, TOP)));
        assert_eq!(path(&[], (0.0, 1.0)), "");
    }
}
