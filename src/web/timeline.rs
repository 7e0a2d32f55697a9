//! A narrative's timeline as a chart drawn on the server: linked posts per
//! day, stacked by platform, as SVG a browser shows without JavaScript.
//! Only the geometry is computed here; `web/templates/timeline.html`
//! writes the elements, with a `<title>`, a `<desc>`, a legend and a table
//! of the same numbers for screen readers and for anyone who prefers one.
//!
//! Days run along the reading direction: left to right, or right to left
//! on a right-to-left page, so the newest day is where a reader's eye ends.

use std::collections::BTreeMap;

use crate::formats::date::parse_day;

use crate::store::TimelinePoint;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
/// Room for the count labels beside the plot, the dates under it and the
/// legend under those.
const SIDE: f64 = 44.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 64.0;
/// Colour classes (`.series-N` in the stylesheet), one per platform in
/// order; more platforms reuse them, and the legend names each anyway.
const SERIES: usize = 6;
/// A span of more days than this is not drawn day by day: bars would be
/// slivers. The table still lists every day.
const MAX_DAYS: i64 = 366;

/// One platform's posts on one day: a piece of that day's bar.
#[derive(Clone, Debug)]
pub struct Piece {
    pub y: String,
    pub height: String,
    pub class: String,
    pub platform: String,
    pub posts: i64,
}

/// A day that has posts.
#[derive(Clone, Debug)]
pub struct DayBar {
    pub day: String,
    pub x: String,
    pub width: String,
    pub total: i64,
    pub pieces: Vec<Piece>,
}

/// A label on an axis, at a coordinate.
#[derive(Clone, Debug)]
pub struct Label {
    pub x: String,
    pub y: String,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct LegendItem {
    pub x: String,
    pub text_x: String,
    pub y: String,
    pub class: String,
    pub platform: String,
}

/// One row of the table fallback: a day, its posts per platform (in
/// `Chart::platforms` order) and its total.
#[derive(Clone, Debug)]
pub struct Row {
    pub day: String,
    pub counts: Vec<i64>,
    pub total: i64,
}

#[derive(Clone, Debug, Default)]
pub struct Chart {
    pub width: u32,
    pub height: u32,
    pub bars: Vec<DayBar>,
    pub day_labels: Vec<Label>,
    pub count_labels: Vec<Label>,
    pub legend: Vec<LegendItem>,
    pub platforms: Vec<String>,
    pub rows: Vec<Row>,
    /// The plot's axes: the baseline and the count axis.
    pub base_x1: String,
    pub base_x2: String,
    pub base_y: String,
    pub axis_x: String,
    pub first_day: String,
    pub last_day: String,
    pub total: i64,
}

impl Chart {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// The chart of a timeline (points oldest day first, as the store gives).
pub fn chart(points: &[TimelinePoint], rtl: bool) -> Chart {
    let mut platforms: Vec<String> = Vec::new();
    let mut days: BTreeMap<String, BTreeMap<usize, i64>> = BTreeMap::new();
    for p in points.iter().filter(|p| p.posts > 0) {
        let i = match platforms.iter().position(|x| *x == p.platform) {
            Some(i) => i,
            None => {
                platforms.push(p.platform.clone());
                platforms.len() - 1
            }
        };
        *days.entry(p.day.clone()).or_default().entry(i).or_default() += p.posts;
    }
    let rows: Vec<Row> = days
        .iter()
        .map(|(day, counts)| Row {
            day: day.clone(),
            counts: (0..platforms.len())
                .map(|i| counts.get(&i).copied().unwrap_or(0))
                .collect(),
            total: counts.values().sum(),
        })
        .collect();
    let mut chart = Chart {
        width: WIDTH as u32,
        height: HEIGHT as u32,
        total: rows.iter().map(|r| r.total).sum(),
        first_day: rows.first().map(|r| r.day.clone()).unwrap_or_default(),
        last_day: rows.last().map(|r| r.day.clone()).unwrap_or_default(),
        ..Chart::default()
    };
    let (plot_w, plot_h) = (WIDTH - 2.0 * SIDE, HEIGHT - TOP - BOTTOM);
    let base_y = TOP + plot_h;
    // The count axis stands at the start of the reading direction.
    let start_x = if rtl { WIDTH - SIDE } else { SIDE };
    let along = |offset: f64, width: f64| {
        if rtl {
            WIDTH - SIDE - offset - width
        } else {
            SIDE + offset
        }
    };
    chart.base_x1 = n(SIDE);
    chart.base_x2 = n(WIDTH - SIDE);
    chart.base_y = n(base_y);
    chart.axis_x = n(start_x);

    // Every calendar day from the first to the last has a slot, so quiet
    // days show as gaps; days that are not dates get one slot each.
    let first = rows.first().and_then(|r| parse_day(&r.day));
    let last = rows.last().and_then(|r| parse_day(&r.day));
    let span = match (first, last) {
        (Some(a), Some(b)) if rows.iter().all(|r| parse_day(&r.day).is_some()) => {
            Some((a, (b - a).whole_days()))
        }
        _ => None,
    }
    .filter(|(_, d)| *d < MAX_DAYS);
    let slots = span.map_or(rows.len() as i64, |(_, d)| d + 1).max(1);
    let slot_of = |i: usize, day: &str| -> i64 {
        match (span, parse_day(day)) {
            (Some((a, _)), Some(d)) => (d - a).whole_days(),
            _ => i as i64,
        }
    };
    let slot_w = plot_w / slots as f64;
    let bar_w = (slot_w * 0.7).clamp(1.0, 48.0);
    let max = rows.iter().map(|r| r.total).max().unwrap_or(0).max(1);
    let per_post = plot_h / max as f64;

    for (i, row) in rows.iter().enumerate() {
        let slot = slot_of(i, &row.day) as f64;
        let x = along(slot * slot_w + (slot_w - bar_w) / 2.0, bar_w);
        let mut top = base_y;
        let pieces = row
            .counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(p, c)| {
                let h = *c as f64 * per_post;
                top -= h;
                Piece {
                    y: n(top),
                    height: n(h),
                    class: format!("series-{}", p % SERIES),
                    platform: platforms[p].clone(),
                    posts: *c,
                }
            })
            .collect();
        chart.bars.push(DayBar {
            day: row.day.clone(),
            x: n(x),
            width: n(bar_w),
            total: row.total,
            pieces,
        });
    }

    // Dates under the first and last bars, and under a few between when
    // there is room for them (a date takes about 80 px).
    let room = ((plot_w / 80.0) as usize).max(2);
    let step = rows.len().div_ceil(room).max(1);
    for (i, bar) in chart.bars.iter().enumerate() {
        if i % step == 0 || i + 1 == chart.bars.len() {
            let x: f64 = bar.x.parse().unwrap_or(0.0) + bar_w / 2.0;
            if let Some(prev) = chart.day_labels.last() {
                let px: f64 = prev.x.parse().unwrap_or(0.0);
                if (px - x).abs() < 80.0 {
                    continue;
                }
            }
            chart.day_labels.push(Label {
                x: n(x),
                y: n(base_y + 18.0),
                text: bar.day.clone(),
            });
        }
    }
    // Counts beside the axis: zero, the top, and the middle when whole.
    let mut ticks = vec![0, max];
    if max >= 4 && max % 2 == 0 {
        ticks.insert(1, max / 2);
    }
    let label_x = if rtl { start_x + 6.0 } else { start_x - 6.0 };
    for t in ticks {
        chart.count_labels.push(Label {
            x: n(label_x),
            y: n(base_y - t as f64 * per_post + 4.0),
            text: t.to_string(),
        });
    }
    // The legend, one swatch and name per platform, in reading order.
    // Its text inherits the page's direction, so `text-anchor="start"`
    // sets it after the swatch either way.
    let mut offset = 0.0;
    for (i, p) in platforms.iter().enumerate() {
        let item_w = 28.0 + 8.0 * p.chars().count() as f64;
        let x = along(offset, 12.0);
        chart.legend.push(LegendItem {
            x: n(x),
            text_x: n(if rtl { x - 4.0 } else { x + 16.0 }),
            y: n(HEIGHT - 18.0),
            class: format!("series-{}", i % SERIES),
            platform: p.clone(),
        });
        offset += item_w;
    }
    chart.platforms = platforms;
    chart.rows = rows;
    chart
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(day: &str, platform: &str, posts: i64) -> TimelinePoint {
        TimelinePoint {
            day: day.into(),
            platform: platform.into(),
            posts,
        }
    }

    #[test]
    fn each_day_with_posts_is_one_bar_stacked_by_platform_and_quiet_days_are_gaps() {
        let points = [
            point("2024-09-08", "tiktok", 2),
            point("2024-09-08", "facebook", 1),
            point("2024-09-11", "tiktok", 1),
        ];
        let c = chart(&points, false);
        assert_eq!(c.bars.len(), 2);
        assert_eq!(c.bars[0].pieces.len(), 2);
        assert_eq!(c.bars[0].total, 3);
        assert_eq!(c.platforms, ["tiktok", "facebook"]);
        assert_eq!(c.rows[0].counts, [2, 1]);
        assert_eq!(c.total, 4);
        // Four slots (8th to 11th): the second bar is three slots on.
        let x = |b: &DayBar| b.x.parse::<f64>().unwrap();
        let slot = (WIDTH - 2.0 * SIDE) / 4.0;
        assert!((x(&c.bars[1]) - x(&c.bars[0]) - 3.0 * slot).abs() < 0.2);
        // The tallest bar reaches the top of the plot.
        let top: f64 = c.bars[0].pieces[1].y.parse().unwrap();
        assert!((top - TOP).abs() < 0.2, "{top}");
    }

    #[test]
    fn a_right_to_left_chart_runs_its_days_from_the_right() {
        let points = [point("2024-09-08", "x", 1), point("2024-09-09", "x", 1)];
        let ltr = chart(&points, false);
        let rtl = chart(&points, true);
        let x = |c: &Chart, i: usize| c.bars[i].x.parse::<f64>().unwrap();
        assert!(x(&ltr, 0) < x(&ltr, 1));
        assert!(x(&rtl, 0) > x(&rtl, 1));
        assert!(chart(&[], true).is_empty());
    }
}
