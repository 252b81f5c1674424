//! Charts of a trend, for a paper or a slide: self-contained SVG (or an
//! HTML page holding it and the numbers), written here — no chart library,
//! no network, no script needed to draw.
//!
//! Grouped by year, the share of reports mentioning each query is a line
//! per series (a query, or a query in one province with `--by
//! year,province`); otherwise each group is a row of horizontal bars,
//! sorted by the first query's share. Labels are Chinese, in the system's
//! CJK fonts. So that a chart stays readable, at most [`MAX_SERIES`] lines
//! (those with the most matching reports) and [`MAX_BARS`] rows (the
//! highest shares) are drawn; [`Chart::left_out`] says how many were not,
//! and the HTML page's table lists every row.

use crate::text::printable::escape_html as escape;
use std::fmt::Write as _;

use super::{Level, TrendTable};

/// Lines drawn at most.
pub const MAX_SERIES: usize = 12;
/// Bar rows drawn at most.
pub const MAX_BARS: usize = 40;

/// Fonts with Chinese glyphs on Linux, macOS and Windows, then any.
const FONTS: &str = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Hiragino Sans GB','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif";

/// Colours of the series (distinguishable, print well).
const PALETTE: [&str; 12] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939",
];

/// A drawn chart and what did not fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub svg: String,
    /// Series (lines) or groups (bar rows) not drawn.
    pub left_out: usize,
}

/// `0.4567` → `45.7%`.
fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A group's label: its values other than the year, joined.
fn label(levels: &[Level], group: &[Option<String>], skip_year: bool) -> String {
    levels
        .iter()
        .zip(group)
        .filter(|(l, _)| !(skip_year && **l == Level::Year))
        .map(|(_, v)| v.as_deref().unwrap_or("未知"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The Chinese name of a level, for axis titles.
fn level_name(level: Level) -> &'static str {
    match level {
        Level::Year => "年份",
        Level::Province => "省份",
        Level::City => "城市",
        Level::County => "区县",
        Level::Bureau => "单位",
    }
}

/// The title: which queries, grouped how.
pub fn title(table: &TrendTable) -> String {
    let queries: Vec<String> = table.queries.iter().map(|q| format!("「{q}」")).collect();
    let by: Vec<&str> = table.levels.iter().map(|&l| level_name(l)).collect();
    format!(
        "提及{}的报告占比（按{}）",
        queries.join("、"),
        by.join("、")
    )
}

/// The chart of `table`: lines over the years when grouped by year,
/// sorted bars otherwise.
pub fn svg(table: &TrendTable) -> Chart {
    if table.levels.contains(&Level::Year) {
        line_chart(table)
    } else {
        bar_chart(table)
    }
}

/// Upper end of the share axis: the next tenth above the largest share.
fn axis_max(max: f64) -> f64 {
    ((max * 10.0).ceil() / 10.0).clamp(0.1, 1.0)
}

fn svg_open(out: &mut String, width: usize, height: usize, title: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"{FONTS}\" font-size=\"13\" role=\"img\">\n<title>{}</title>\n<rect class=\"background\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n<text x=\"{}\" y=\"26\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{}</text>\n",
        escape(title),
        width / 2,
        escape(title)
    );
}

/// A point of a line: year, share, matching reports, reports.
type Point = (u16, f64, usize, usize);

/// One line per series over the years.
fn line_chart(table: &TrendTable) -> Chart {
    let mut years: Vec<u16> = table.rows.iter().filter_map(|r| r.year).collect();
    years.sort_unstable();
    years.dedup();
    // Series: a query and the group's other values, in first-seen order.
    let several_queries = table.queries.len() > 1;
    let mut series: Vec<(String, usize, Vec<Point>)> = Vec::new();
    for r in &table.rows {
        let Some(year) = r.year else { continue };
        let place = label(&table.levels, &r.group, true);
        let name = match (several_queries || place.is_empty(), place.is_empty()) {
            (true, true) => r.query.clone(),
            (true, false) => format!("{} · {place}", r.query),
            (false, _) => place,
        };
        let i = match series.iter().position(|s| s.0 == name) {
            Some(i) => i,
            None => {
                series.push((name, 0, Vec::new()));
                series.len() - 1
            }
        };
        series[i].1 += r.reports_matching;
        series[i]
            .2
            .push((year, r.share, r.reports_matching, r.reports));
    }
    let total = series.len();
    if total > MAX_SERIES {
        let mut by_size: Vec<usize> = (0..total).collect();
        by_size.sort_by_key(|&i| std::cmp::Reverse(series[i].1));
        let keep: Vec<bool> = (0..total)
            .map(|i| by_size[..MAX_SERIES].contains(&i))
            .collect();
        let mut i = 0;
        series.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
    let (width, height) = (880usize, 460usize);
    let (left, right, top, bottom) = (70.0, 220.0, 50.0, 60.0);
    let plot_w = width as f64 - left - right;
    let plot_h = height as f64 - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.2.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    let ymax = axis_max(max);
    // Years at their distance: a year without reports leaves a gap.
    let (y0, y1) = (
        years.first().copied().unwrap_or(0),
        years.last().copied().unwrap_or(0),
    );
    let x = |year: u16| -> f64 {
        if y1 == y0 {
            left + plot_w / 2.0
        } else {
            left + plot_w * f64::from(year - y0) / f64::from(y1 - y0)
        }
    };
    let y = |share: f64| top + plot_h * (1.0 - share / ymax);
    let mut out = String::new();
    svg_open(&mut out, width, height, &title(table));
    out.push_str("<g class=\"axes\" stroke=\"#999999\">\n");
    let ticks = ((ymax * 10.0).round() as usize).clamp(1, 10);
    for t in 0..=ticks {
        let share = ymax * t as f64 / ticks as f64;
        let _ = writeln!(
            out,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#e0e0e0\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" stroke=\"none\" fill=\"#333333\">{}</text>",
            left + plot_w,
            y(share),
            y(share),
            left - 6.0,
            y(share) + 4.0,
            format_args!("{:.0}%", share * 100.0)
        );
    }
    let _ = writeln!(
        out,
        "<line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{:.1}\"/><line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
        top + plot_h,
        left + plot_w,
        top + plot_h,
        top + plot_h
    );
    // At most about 15 labels, so they do not overlap.
    let step = usize::from(y1 - y0).div_ceil(15).max(1);
    for year in (y0..=y1).step_by(step) {
        let _ = writeln!(
            out,
            "<text class=\"year\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333333\">{year}</text>",
            x(year),
            top + plot_h + 18.0
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333333\">年份</text>\n<text transform=\"translate(18 {:.1}) rotate(-90)\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333333\">提及的报告占比</text>\n</g>",
        left + plot_w / 2.0,
        top + plot_h + 42.0,
        top + plot_h / 2.0
    );
    for (i, (name, _, points)) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let coords: Vec<String> = points
            .iter()
            .map(|&(yr, share, _, _)| format!("{:.1},{:.1}", x(yr), y(share)))
            .collect();
        let _ = writeln!(
            out,
            "<g class=\"series\" data-series=\"{}\" stroke=\"{colour}\" fill=\"{colour}\">\n<polyline points=\"{}\" fill=\"none\" stroke-width=\"2\"/>",
            escape(name),
            coords.join(" ")
        );
        for &(yr, share, n, of) in points {
            let _ = writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>{} {yr}: {} ({n}/{of})</title></circle>",
                x(yr),
                y(share),
                escape(name),
                percent(share)
            );
        }
        let ly = top + 10.0 + 20.0 * i as f64;
        let lx = left + plot_w + 16.0;
        let _ = writeln!(
            out,
            "<line x1=\"{lx:.1}\" x2=\"{:.1}\" y1=\"{ly:.1}\" y2=\"{ly:.1}\" stroke-width=\"2\"/><text class=\"legend\" x=\"{:.1}\" y=\"{:.1}\" stroke=\"none\" fill=\"#333333\">{}</text>\n</g>",
            lx + 18.0,
            lx + 24.0,
            ly + 4.0,
            escape(name)
        );
    }
    out.push_str("</svg>\n");
    Chart {
        svg: out,
        left_out: total - series.len(),
    }
}

/// One row of bars per group (a bar per query), by the first query's share.
fn bar_chart(table: &TrendTable) -> Chart {
    let groups = table.rows.len() / table.queries.len().max(1);
    // rows[q * groups + g]: query q in group g.
    let mut order: Vec<usize> = (0..groups).collect();
    order.sort_by(|&a, &b| {
        table.rows[b]
            .share
            .total_cmp(&table.rows[a].share)
            .then(a.cmp(&b))
    });
    let left_out = groups.saturating_sub(MAX_BARS);
    order.truncate(MAX_BARS);
    let queries = table.queries.len().max(1);
    let bar_h = 14.0;
    let row_h = bar_h * queries as f64 + 8.0;
    let (left, right, top, bottom) = (180.0, 90.0, 50.0, 70.0);
    let width = 880usize;
    let plot_w = width as f64 - left - right;
    let plot_h = row_h * order.len() as f64;
    let legend_h = if queries > 1 {
        20.0 * queries as f64
    } else {
        0.0
    };
    let height = (top + plot_h + bottom + legend_h).ceil() as usize;
    let max = table.rows.iter().map(|r| r.share).fold(0.0, f64::max);
    let xmax = axis_max(max);
    let x = |share: f64| left + plot_w * share / xmax;
    let mut out = String::new();
    svg_open(&mut out, width, height, &title(table));
    out.push_str("<g class=\"axes\" stroke=\"#999999\">\n");
    let ticks = ((xmax * 10.0).round() as usize).clamp(1, 10);
    for t in 0..=ticks {
        let share = xmax * t as f64 / ticks as f64;
        let _ = writeln!(
            out,
            "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{top}\" y2=\"{:.1}\" stroke=\"#e0e0e0\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333333\">{:.0}%</text>",
            x(share),
            x(share),
            top + plot_h,
            x(share),
            top + plot_h + 18.0,
            share * 100.0
        );
    }
    let axis = table.levels.first().map_or("分组", |&l| level_name(l));
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333333\">提及的报告占比</text>\n<text x=\"12\" y=\"{:.1}\" stroke=\"none\" fill=\"#333333\">{axis}</text>\n</g>",
        left + plot_w / 2.0,
        top + plot_h + 40.0,
        top - 8.0
    );
    for (row, &g) in order.iter().enumerate() {
        let y0 = top + row_h * row as f64 + 4.0;
        let name = label(&table.levels, &table.rows[g].group, false);
        let _ = writeln!(
            out,
            "<text class=\"group\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 8.0,
            y0 + row_h / 2.0,
            escape(&name)
        );
    }
    for q in 0..queries {
        let colour = PALETTE[q % PALETTE.len()];
        let _ = writeln!(
            out,
            "<g class=\"series\" data-series=\"{}\" fill=\"{colour}\">",
            escape(&table.queries[q])
        );
        for (row, &g) in order.iter().enumerate() {
            let r = &table.rows[q * groups + g];
            let y0 = top + row_h * row as f64 + 4.0 + bar_h * q as f64;
            let w = (x(r.share) - left).max(0.5);
            let _ = writeln!(
                out,
                "<rect x=\"{left}\" y=\"{y0:.1}\" width=\"{w:.1}\" height=\"{:.1}\"><title>{} {}: {} ({}/{})</title></rect><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#333333\">{}</text>",
                bar_h - 2.0,
                escape(&label(&table.levels, &r.group, false)),
                escape(&r.query),
                percent(r.share),
                r.reports_matching,
                r.reports,
                left + w + 4.0,
                y0 + bar_h - 4.0,
                percent(r.share)
            );
        }
        if queries > 1 {
            let ly = top + plot_h + 56.0 + 20.0 * q as f64;
            let _ = writeln!(
                out,
                "<rect x=\"{left}\" y=\"{:.1}\" width=\"14\" height=\"10\"/><text class=\"legend\" x=\"{:.1}\" y=\"{ly:.1}\" fill=\"#333333\">{}</text>",
                ly - 9.0,
                left + 20.0,
                escape(&table.queries[q])
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    Chart { svg: out, left_out }
}

/// A page with the chart and every row as a table. Well-formed XML too,
/// so it can be checked by a parser; a short script (not needed to see the
/// chart) records on `<body data-drawn>` how many series the browser laid
/// out with a size, for automated checks.
pub fn html(table: &TrendTable) -> (String, usize) {
    let chart = svg(table);
    let title = escape(&title(table));
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{title}</title>\n<style>\nbody {{ font-family: {FONTS}; margin: 2em; color: #222222; }}\ntable {{ border-collapse: collapse; margin-top: 1.5em; font-size: 14px; }}\nth, td {{ border: 1px solid #cccccc; padding: 3px 8px; }}\ntd.n {{ text-align: right; }}\n.note {{ color: #666666; font-size: 13px; }}\n</style>\n</head>\n<body data-drawn=\"\">\n"
    );
    out.push_str(&chart.svg);
    if chart.left_out > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">图中略去 {} 个系列或分组；下表列出全部。</p>",
            chart.left_out
        );
    }
    out.push_str("<table>\n<thead><tr><th>查询</th>");
    for l in &table.levels {
        let _ = write!(out, "<th>{}</th>", level_name(*l));
    }
    out.push_str(
        "<th>报告数</th><th>提及的报告</th><th>占比</th><th>单位数</th><th>提及的单位</th>",
    );
    if table.levels.contains(&Level::Year) {
        out.push_str("<th>首次提及的单位</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &table.rows {
        let _ = write!(out, "<tr><td>{}</td>", escape(&r.query));
        for v in &r.group {
            let _ = write!(out, "<td>{}</td>", escape(v.as_deref().unwrap_or("未知")));
        }
        let _ = write!(
            out,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            r.reports,
            r.reports_matching,
            percent(r.share),
            r.bureaus,
            r.bureaus_matching
        );
        if let Some(n) = r.new_bureaus {
            let _ = write!(out, "<td class=\"n\">{n}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n<p class=\"note\">由 fazhi trend 生成。一份报告的任一章节匹配查询即算“提及”。</p>\n");
    // Measures only; the chart is drawn without it.
    out.push_str("<script>\n(function () {\n  var drawn = 0;\n  document.querySelectorAll('svg .series').forEach(function (g) {\n    var box = g.getBBox();\n    if (box.width > 0) { drawn += 1; }\n  });\n  document.body.setAttribute('data-drawn', String(drawn));\n})();\n</script>\n</body>\n</html>\n");
    (out, chart.left_out)
}
