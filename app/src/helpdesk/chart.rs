//! The rollout over time on the helpdesk's page: an SVG drawn in Rust, with the same numbers in
//! a table. The server renders it whole, so it reads without JavaScript; the browser hydrates
//! the same markup from the same data. Colours and dashes come from classes in `style/` (the
//! CSP allows no inline styles); the lines differ by dash as well as by colour. For screen
//! readers the picture is one image with a summary, and the table holds every day's numbers.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::lang::tr;

/// Professionals with two-step authentication on, by method, on one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enabled {
    pub app: u64,
    pub sms: u64,
    pub passkey: u64,
}

impl Enabled {
    pub fn total(self) -> u64 {
        self.app + self.sms + self.passkey
    }
}

/// One day of the chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartDay {
    /// "4 mei 2026"
    pub date: String,
    /// `None` for a day nobody counted: a gap in the lines.
    pub enabled: Option<Enabled>,
    /// "Niet nu" that day.
    pub deferrals: u64,
}

/// The rollout from the optional date to today, as the chart and its table show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutChart {
    /// One per day, oldest first; the last is today.
    pub days: Vec<ChartDay>,
    /// Days on the horizontal axis: those shown, and on to the mandatory date while it is ahead.
    pub span: usize,
    /// Where the optional and the mandatory dates fall on the axis, with their words.
    pub optional: Option<Marker>,
    pub mandatory: Option<Marker>,
    /// Month starts under the axis.
    pub ticks: Vec<Tick>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    pub at: usize,
    /// "Vrijwillig vanaf 1 april 2026"
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tick {
    pub at: usize,
    /// "1 mei", or "mei 2027" when the axis spans more than one year (in the page's language).
    pub label: String,
}

/// The most month labels under the axis.
#[cfg(feature = "ssr")]
const MAX_TICKS: usize = 8;

/// The chart's data from the domain's history; `None` before the optional date.
#[cfg(feature = "ssr")]
pub fn from_history(
    days: Vec<tweestap_domain::helpdesk::history::RolloutDay>,
    rollout: tweestap_domain::twofactor::policy::Rollout,
) -> Option<RolloutChart> {
    use crate::lang::date;
    use chrono::Datelike;
    let first = days.first()?.day;
    let today = days.last()?.day;
    let last = today.max(rollout.mandatory_from);
    let index = |day: chrono::NaiveDate| usize::try_from((day - first).num_days()).ok();
    let marker = |day: chrono::NaiveDate, label: fn(String) -> String| {
        index(day).filter(|_| day <= last).map(|at| Marker {
            at,
            label: label(date(day)),
        })
    };
    let one_year = first.year() == last.year();
    let months: Vec<chrono::NaiveDate> = first
        .iter_days()
        .take_while(|day| *day <= last)
        .filter(|day| day.day() == 1)
        .collect();
    let every = months.len().div_ceil(MAX_TICKS).max(1);
    let ticks = months
        .into_iter()
        .step_by(every)
        .filter_map(|day| {
            let month = tweestap_domain::time::month(day.month0(), crate::lang::domain());
            Some(Tick {
                at: index(day)?,
                label: if one_year {
                    tr!(helpdesk.chart.tick_month, month = month).to_string()
                } else {
                    tr!(helpdesk.chart.tick_year, month = month, year = day.year()).to_string()
                },
            })
        })
        .collect();
    Some(RolloutChart {
        span: index(last)? + 1,
        optional: marker(rollout.optional_from, |date| {
            tr!(helpdesk.chart.optional_from, date = date).to_string()
        }),
        mandatory: marker(rollout.mandatory_from, |date| {
            tr!(helpdesk.chart.mandatory_from, date = date).to_string()
        }),
        ticks,
        days: days
            .into_iter()
            .map(|day| ChartDay {
                date: date(day.day),
                enabled: day.enabled.map(|counts| Enabled {
                    app: counts.app,
                    sms: counts.sms,
                    passkey: counts.passkey,
                }),
                deferrals: day.deferrals,
            })
            .collect(),
    })
}

// The drawing's coordinates (its viewBox); CSS scales it to the page's width.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 330.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 704.0;
/// The lines' panel, below two rows of marker labels.
const LINES_TOP: f64 = 44.0;
const LINES_BOTTOM: f64 = 200.0;
/// The "Niet nu" panel.
const BARS_TOP: f64 = 236.0;
const BARS_BOTTOM: f64 = 292.0;
const AXIS_LABELS: f64 = 312.0;

/// A line: its class, its name in the legend, and its number of a day.
type Series = (&'static str, fn() -> &'static str, fn(Enabled) -> u64);

/// The lines, in the legend's order.
const SERIES: [Series; 4] = [
    ("total", || tr!(helpdesk.chart.total), Enabled::total),
    ("app", || tr!(helpdesk.chart.app), |enabled| enabled.app),
    ("sms", || tr!(helpdesk.chart.sms), |enabled| enabled.sms),
    (
        "passkey",
        || tr!(helpdesk.chart.passkey),
        |enabled| enabled.passkey,
    ),
];

/// A round top for an axis from 0 to at least `max`, with at most `steps` steps: the step
/// and the top.
fn scale(max: u64, steps: u64) -> (u64, u64) {
    let mut unit = 1;
    loop {
        for step in [unit, unit * 2, unit * 5] {
            if max.div_ceil(step) <= steps {
                return (step, (max.div_ceil(step) * step).max(step));
            }
        }
        unit *= 10;
    }
}

fn x(at: usize, span: usize) -> f64 {
    let steps = span.saturating_sub(1).max(1) as f64;
    LEFT + (RIGHT - LEFT) * at as f64 / steps
}

fn y(value: u64, top: u64, from: f64, to: f64) -> f64 {
    to - (to - from) * value as f64 / top.max(1) as f64
}

/// A coordinate in the SVG: one decimal is plenty.
fn n(value: f64) -> String {
    format!("{value:.1}")
}

/// Each run of counted days as the points of one line: a day nobody counted breaks it.
fn runs(chart: &RolloutChart, value: fn(Enabled) -> u64, top: u64) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (at, day) in chart.days.iter().enumerate() {
        match (day.enabled, runs.last_mut()) {
            (Some(enabled), Some(run)) => run.push((
                x(at, chart.span),
                y(value(enabled), top, LINES_TOP, LINES_BOTTOM),
            )),
            _ => runs.push(Vec::new()),
        }
    }
    runs.retain(|run| !run.is_empty());
    runs
}

/// The SVG's one sentence for screen readers; the table holds the rest.
fn summary(chart: &RolloutChart) -> String {
    let today = chart.days.last();
    let now = today
        .and_then(|day| day.enabled)
        .map(|enabled| {
            let total = crate::words::count(
                i64::try_from(enabled.total()).unwrap_or(i64::MAX),
                tr!(helpdesk.counted.professional),
                tr!(helpdesk.counted.professionals),
            );
            let today = tr!(
                helpdesk.chart.summary_today,
                date = today.map_or("", |day| day.date.as_str()),
                total = total,
                app = enabled.app,
                sms = enabled.sms,
                passkey = enabled.passkey
            );
            format!(" {today}")
        })
        .unwrap_or_default();
    let first = tr!(
        helpdesk.chart.summary,
        first = chart.days.first().map_or("", |day| day.date.as_str())
    );
    format!("{first}{now} {}", tr!(helpdesk.chart.summary_table))
}

/// The chart, its legend and its table.
#[component]
pub fn RolloutChartView(chart: RolloutChart) -> impl IntoView {
    let most = chart
        .days
        .iter()
        .filter_map(|day| day.enabled.map(Enabled::total))
        .max()
        .unwrap_or(0);
    let (step, top) = scale(most, 4);
    let most_deferrals = chart
        .days
        .iter()
        .map(|day| day.deferrals)
        .max()
        .unwrap_or(0);
    let (_, bars_top) = scale(most_deferrals, 1);
    let span = chart.span;
    let bar_width = ((RIGHT - LEFT) / span as f64 * 0.7).clamp(1.0, 24.0);
    let grid = (0..=top / step)
        .map(|i| {
            let at = y(i * step, top, LINES_TOP, LINES_BOTTOM);
            view! {
                <line class="grid" x1=n(LEFT) x2=n(RIGHT) y1=n(at) y2=n(at)/>
                <text class="axis" x=n(LEFT - 6.0) y=n(at + 4.0) text-anchor="end">{i * step}</text>
            }
        })
        .collect_view();
    let lines = SERIES
        .iter()
        .map(|(series, _, value)| {
            runs(&chart, *value, top)
                .into_iter()
                .map(|run| match run.as_slice() {
                    [(cx, cy)] => view! {
                        <circle class=format!("series {series}") cx=n(*cx) cy=n(*cy) r="3"/>
                    }
                    .into_any(),
                    points => {
                        let points = points
                            .iter()
                            .map(|(px, py)| format!("{},{}", n(*px), n(*py)))
                            .collect::<Vec<_>>()
                            .join(" ");
                        view! { <polyline class=format!("series {series}") points=points/> }
                            .into_any()
                    }
                })
                .collect_view()
        })
        .collect_view();
    let bars = chart
        .days
        .iter()
        .enumerate()
        .filter(|(_, day)| day.deferrals > 0)
        .map(|(at, day)| {
            let top_y = y(day.deferrals, bars_top, BARS_TOP, BARS_BOTTOM);
            view! {
                <rect class="deferrals" x=n(x(at, span) - bar_width / 2.0) y=n(top_y)
                    width=n(bar_width) height=n(BARS_BOTTOM - top_y)/>
            }
        })
        .collect_view();
    let markers = [(&chart.optional, 14.0), (&chart.mandatory, 30.0)]
        .into_iter()
        .filter_map(|(marker, row)| {
            let marker = marker.clone()?;
            let at = x(marker.at, span);
            // The label stays inside the drawing: to the right of a marker on the left half,
            // to its left on the right half.
            let anchor = if at > (LEFT + RIGHT) / 2.0 {
                "end"
            } else {
                "start"
            };
            Some(view! {
                <line class="marker" x1=n(at) x2=n(at) y1=n(row + 4.0) y2=n(BARS_BOTTOM)/>
                <text class="marker-label" x=n(at) y=n(row) text-anchor=anchor>{marker.label}</text>
            })
        })
        .collect_view();
    let label = summary(&chart);
    let ticks = chart
        .ticks
        .iter()
        .map(|tick| {
            let at = x(tick.at, span);
            view! {
                <line class="axis-line" x1=n(at) x2=n(at) y1=n(BARS_BOTTOM) y2=n(BARS_BOTTOM + 5.0)/>
                <text class="axis" x=n(at) y=n(AXIS_LABELS) text-anchor="middle">{tick.label.clone()}</text>
            }
        })
        .collect_view();
    view! {
        <figure class="rollout-figure">
            <svg class="rollout-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img"
                aria-label=label focusable="false">
                {grid}
                <line class="axis-line" x1=n(LEFT) x2=n(RIGHT) y1=n(LINES_BOTTOM) y2=n(LINES_BOTTOM)/>
                {lines}
                <text class="axis" x=n(LEFT) y=n(BARS_TOP - 8.0)>
                    {tr!(helpdesk.chart.deferrals_per_day)}
                </text>
                <line class="grid" x1=n(LEFT) x2=n(RIGHT) y1=n(BARS_TOP) y2=n(BARS_TOP)/>
                <text class="axis" x=n(LEFT - 6.0) y=n(BARS_TOP + 4.0) text-anchor="end">{bars_top}</text>
                {bars}
                <line class="axis-line" x1=n(LEFT) x2=n(RIGHT) y1=n(BARS_BOTTOM) y2=n(BARS_BOTTOM)/>
                {markers}
                {ticks}
            </svg>
            <figcaption>
                <ul class="chart-legend">
                    {SERIES.iter().map(|(series, name, _)| view! {
                        <li>
                            <svg class="legend-sample" viewBox="0 0 28 10" aria-hidden="true" focusable="false">
                                <line class=format!("series {series}") x1="1" x2="27" y1="5" y2="5"/>
                            </svg>
                            {name()}
                        </li>
                    }).collect_view()}
                    <li>
                        <svg class="legend-sample" viewBox="0 0 28 10" aria-hidden="true" focusable="false">
                            <rect class="deferrals" x="9" y="1" width="10" height="9"/>
                        </svg>
                        {tr!(helpdesk.chart.legend_deferrals)}
                    </li>
                    <li>
                        <svg class="legend-sample" viewBox="0 0 28 10" aria-hidden="true" focusable="false">
                            <line class="marker" x1="14" x2="14" y1="0" y2="10"/>
                        </svg>
                        {tr!(helpdesk.chart.legend_markers)}
                    </li>
                </ul>
                <p class="hint">{tr!(helpdesk.chart.hint)}</p>
            </figcaption>
        </figure>
        <details class="rollout-table">
            <summary>{tr!(helpdesk.chart.table_summary)}</summary>
            <table class="log">
                <caption class="visually-hidden">{tr!(helpdesk.chart.table_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr!(helpdesk.chart.day)}</th>
                        <th scope="col">{tr!(helpdesk.chart.app)}</th>
                        <th scope="col">{tr!(helpdesk.chart.sms)}</th>
                        <th scope="col">{tr!(helpdesk.chart.passkey)}</th>
                        <th scope="col">{tr!(helpdesk.chart.total)}</th>
                        <th scope="col">{tr!(helpdesk.chart.deferrals)}</th>
                    </tr>
                </thead>
                <tbody>
                    {chart.days.into_iter().rev().map(|day| view! {
                        <tr>
                            <th scope="row">{day.date}</th>
                            {match day.enabled {
                                Some(enabled) => view! {
                                    <td>{enabled.app}</td>
                                    <td>{enabled.sms}</td>
                                    <td>{enabled.passkey}</td>
                                    <td>{enabled.total()}</td>
                                }
                                .into_any(),
                                None => view! { <td colspan="4">{tr!(helpdesk.chart.not_counted)}</td> }.into_any(),
                            }}
                            <td>{day.deferrals}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: &str, enabled: Option<(u64, u64, u64)>, deferrals: u64) -> ChartDay {
        ChartDay {
            date: date.to_owned(),
            enabled: enabled.map(|(app, sms, passkey)| Enabled { app, sms, passkey }),
            deferrals,
        }
    }

    #[test]
    fn a_day_nobody_counted_breaks_the_lines() {
        let chart = RolloutChart {
            days: vec![
                day("1 april 2026", Some((1, 0, 0)), 0),
                day("2 april 2026", Some((2, 1, 0)), 2),
                day("3 april 2026", None, 1),
                day("4 april 2026", Some((4, 0, 0)), 0),
            ],
            span: 5,
            optional: None,
            mandatory: None,
            ticks: Vec::new(),
        };
        let app = runs(&chart, |enabled| enabled.app, 4);
        assert_eq!(
            app,
            vec![
                vec![(LEFT, 161.0), (212.0, 122.0)],
                vec![(540.0, LINES_TOP)],
            ]
        );
        let total = runs(&chart, Enabled::total, 4);
        assert_eq!(total[0][1], (212.0, 83.0));
        assert!(summary(&chart).contains("Vandaag 4 april 2026: 4 professionals aan"));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_axis_runs_to_the_mandatory_date_with_the_months_marked() {
        use chrono::NaiveDate;
        use tweestap_domain::{
            helpdesk::history::{MethodCounts, RolloutDay},
            twofactor::policy::Rollout,
        };
        let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let chart_days = || {
            date(4, 1)
                .iter_days()
                .take_while(|day| *day <= date(5, 4))
                .map(|day| RolloutDay {
                    day,
                    enabled: Some(MethodCounts::default()),
                    deferrals: 0,
                })
                .collect::<Vec<_>>()
        };
        let days = chart_days();
        let rollout = Rollout {
            optional_from: date(4, 1),
            mandatory_from: date(7, 1),
        };
        let chart = from_history(days, rollout).unwrap();
        assert_eq!(chart.days.len(), 34);
        assert_eq!(chart.days[33].date, "4 mei 2026");
        assert_eq!(chart.span, 92);
        assert_eq!(
            chart.optional,
            Some(Marker {
                at: 0,
                label: "Vrijwillig vanaf 1 april 2026".to_owned()
            })
        );
        assert_eq!(
            chart.mandatory,
            Some(Marker {
                at: 91,
                label: "Verplicht vanaf 1 juli 2026".to_owned()
            })
        );
        let ticks: Vec<(usize, &str)> = chart
            .ticks
            .iter()
            .map(|tick| (tick.at, tick.label.as_str()))
            .collect();
        assert_eq!(
            ticks,
            [
                (0, "1 april"),
                (30, "1 mei"),
                (61, "1 juni"),
                (91, "1 juli")
            ]
        );
        assert_eq!(from_history(Vec::new(), rollout), None);
        // The same in English: the dates and the month names of the page's language.
        leptos::prelude::Owner::new().with(|| {
            leptos::prelude::provide_context(crate::lang::Locale::en);
            let chart = from_history(chart_days(), rollout).unwrap();
            assert_eq!(chart.days[33].date, "4 May 2026");
            assert_eq!(
                chart.optional.as_ref().map(|marker| marker.label.as_str()),
                Some("Optional from 1 April 2026")
            );
            assert_eq!(chart.ticks[1].label, "1 May");
            assert!(summary(&chart).starts_with("Chart of the rollout per day, from 1 April 2026. Today 4 May 2026: 0 professionals on"));
        });
    }

    #[test]
    fn an_axis_goes_up_in_round_steps() {
        assert_eq!(scale(0, 4), (1, 1));
        assert_eq!(scale(3, 4), (1, 3));
        assert_eq!(scale(7, 4), (2, 8));
        assert_eq!(scale(17, 4), (5, 20));
        assert_eq!(scale(180, 4), (50, 200));
        assert_eq!(scale(9, 1), (10, 10));
    }
}
