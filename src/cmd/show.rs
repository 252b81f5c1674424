//! `fazhi show ID`: print a section or a whole report from the index.
//!
//! ID is a section id (`<doc_id>-<n>`, as in search results), a doc id, or a
//! path with an optional line (`corpus/report.txt:58`, as search prints it;
//! also `./corpus/…`, absolute, relative to the corpus, or a unique ending).
//! A line outside the report's sections is an error, not the nearest one.

use std::io::Write;

use clap::Args;
use tantivy::schema::Field;

use super::{Global, Outcome};
use crate::engine;
use crate::index::IndexHandle;
use crate::output::{paint, printable, printable_lines, style, use_color};
use crate::query::{StoredSection, sections_with};

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Section id, doc id, or PATH[:LINE]: as printed, with ./, absolute,
    /// relative to the corpus, or a unique ending (x.txt:16).
    pub id: String,
    /// Output format.
    #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

fn is_doc_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The sections whose `field` holds `value`, in document order.
fn sections_for(
    handle: &IndexHandle,
    field: Field,
    value: &str,
) -> anyhow::Result<Vec<StoredSection>> {
    sections_with(&handle.reader.searcher(), &handle.fields, field, value)
}

/// Resolve ID to the sections to print and the one to focus (if any).
fn resolve(handle: &IndexHandle, id: &str) -> anyhow::Result<(Vec<StoredSection>, Option<String>)> {
    let f = &handle.fields;
    if let Some((doc, n)) = id.rsplit_once('-')
        && is_doc_id(doc)
        && n.parse::<u64>().is_ok()
    {
        let all = sections_for(handle, f.doc_id, doc)?;
        return Ok((all, Some(id.to_string())));
    }
    if is_doc_id(id) {
        return Ok((sections_for(handle, f.doc_id, id)?, None));
    }
    let (path, line) = match id.rsplit_once(':') {
        Some((p, l)) if l.parse::<u64>().is_ok() => (p, l.parse::<u64>().ok()),
        _ => (id, None),
    };
    let all = sections_of_path(handle, path)?;
    let Some(l) = line else {
        return Ok((all, None));
    };
    let (Some(first), Some(last)) = (
        all.iter().map(|s| s.line_start).min(),
        all.iter().map(|s| s.line_end).max(),
    ) else {
        return Ok((all, None));
    };
    if l == 0 || l > last {
        return Err(engine::Error::BadRequest(format!(
            "{id}: no section at line {l}; the report's sections are on lines {first}-{last}"
        ))
        .into());
    }
    // A line above the first section (title, addressee) shows the whole report.
    let focus = all
        .iter()
        .filter(|s| s.line_start <= l)
        .max_by_key(|s| (s.line_start, s.ordinal))
        .map(|s| s.section_id.clone());
    Ok((all, focus))
}

/// The sections of the report at `path`, spelled as the user may: as
/// printed (relative to the current folder, or absolute), with `./`,
/// relative to the corpus, or by a unique ending (`x.txt`).
fn sections_of_path(handle: &IndexHandle, path: &str) -> anyhow::Result<Vec<StoredSection>> {
    let f = &handle.fields;
    let cwd = std::env::current_dir().ok();
    let candidates = f.paths.stored(path, cwd.as_deref());
    for stored in &candidates {
        let all = sections_for(handle, f.path, stored)?;
        if !all.is_empty() {
            return Ok(all);
        }
    }
    // A path from elsewhere (`corpus/x.txt` typed in another folder): the
    // one stored path whose absolute form ends with it.
    let Some(tail) = candidates.last() else {
        return Ok(Vec::new());
    };
    let searcher = handle.reader.searcher();
    let known = crate::query::field_values(&searcher, f.path, |p| {
        let abs = f.paths.absolute(p);
        abs == *tail || abs.ends_with(&format!("/{tail}"))
    })?;
    match known.as_slice() {
        [only] => sections_for(handle, f.path, only),
        [] => Ok(Vec::new()),
        several => Err(engine::Error::BadRequest(format!(
            "{path}: several reports end so: {}; give more of the path",
            several
                .iter()
                .map(|p| f.paths.show(p).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into()),
    }
}

pub fn run(args: ShowArgs, global: &Global) -> anyhow::Result<Outcome> {
    // Writes, not println!: a closed pipe (`| head`) is an error to end on quietly, not a panic.
    let mut out = std::io::stdout().lock();
    let engine = global.engine()?;
    let (sections, focus) = resolve(engine.handle(), &args.id)?;
    if sections.is_empty() {
        return Err(engine::Error::BadRequest(format!(
            "{}: no such section, report or path in the index",
            args.id
        ))
        .into());
    }
    let shown: Vec<&StoredSection> = match &focus {
        Some(id) => sections.iter().filter(|s| &s.section_id == id).collect(),
        None => sections.iter().collect(),
    };
    if shown.is_empty() {
        return Err(engine::Error::BadRequest(format!(
            "{}: no such section in the index",
            args.id
        ))
        .into());
    }
    if args.format == "json" {
        writeln!(out, "{}", serde_json::to_string_pretty(&shown)?)?;
        return Ok(Outcome::Done);
    }
    let color = use_color();
    let first = shown[0];
    writeln!(
        out,
        "{} · {} · {}",
        paint(
            first.bureau.as_deref().unwrap_or("(未知单位)"),
            style::BOLD,
            color
        ),
        first
            .report_year
            .map(|y| y.to_string())
            .unwrap_or_else(|| "?".into()),
        printable(first.title.as_deref().unwrap_or("(无标题)"))
    )?;
    let region: Vec<&str> = [&first.province, &first.city, &first.county]
        .iter()
        .filter_map(|o| o.as_deref())
        .collect();
    if !region.is_empty() {
        writeln!(out, "{}", printable(&region.join(" ")))?;
    }
    if let Some(url) = &first.url {
        writeln!(out, "{}", printable(url))?;
    }
    if focus.is_some() {
        // Context: the heading path above, and the neighbours.
        let s = first;
        let idx = sections
            .iter()
            .position(|x| x.section_id == s.section_id)
            .unwrap_or(0);
        writeln!(
            out,
            "{}",
            paint(
                &format!(
                    "{}:{}-{}  [{}]",
                    s.path, s.line_start, s.line_end, s.section_id
                ),
                style::PATH,
                color
            )
        )?;
        if !s.heading_path.is_empty() {
            writeln!(out, "{}", printable(&s.heading_path.join(" › ")))?;
        }
        writeln!(out)?;
        if !s.heading.is_empty() {
            writeln!(out, "{}", paint(&s.heading, style::BOLD, color))?;
        }
        writeln!(out, "{}", printable_lines(&s.body))?;
        let prev = idx.checked_sub(1).and_then(|i| sections.get(i));
        let next = sections.get(idx + 1);
        writeln!(out)?;
        if let Some(p) = prev {
            writeln!(
                out,
                "{}",
                paint(
                    &format!("← {}  [{}]", heading_or_preamble(p), p.section_id),
                    style::DIM,
                    color
                )
            )?;
        }
        if let Some(n) = next {
            writeln!(
                out,
                "{}",
                paint(
                    &format!("→ {}  [{}]", heading_or_preamble(n), n.section_id),
                    style::DIM,
                    color
                )
            )?;
        }
    } else {
        writeln!(out, "{}", paint(&first.path, style::PATH, color))?;
        for s in &shown {
            writeln!(out)?;
            let indent = "  ".repeat(s.level.saturating_sub(1) as usize);
            if !s.heading.is_empty() {
                writeln!(
                    out,
                    "{indent}{}  {}",
                    paint(&s.heading, style::BOLD, color),
                    paint(&format!(":{}", s.line_start), style::DIM, color)
                )?;
            }
            for line in s.body.lines() {
                writeln!(out, "{indent}{}", printable_lines(line))?;
            }
        }
    }
    Ok(Outcome::Done)
}

fn heading_or_preamble(s: &StoredSection) -> &str {
    if s.heading.is_empty() {
        "(正文)"
    } else {
        &s.heading
    }
}
