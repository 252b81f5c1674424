//! `fazhi parse FILE...`: print parsed reports.
//!
//! JSON prints one object for one file and an array for several, with the
//! [`Report`] fields (unknown values `null`). Text prints the metadata and an
//! indented outline with source line numbers. A file that cannot be read is
//! reported on stderr as `fazhi: PATH: CAUSE`; the others are still printed
//! and the exit code is 2.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{Global, Outcome};
use crate::engine::print_metadata_warnings;
use crate::output::{printable, printable_lines};
use crate::report::inputs::ParseInputs;
use crate::report::{Report, Section};

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Report files to parse.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

pub fn run(args: ParseArgs, global: &Global) -> anyhow::Result<Outcome> {
    let mut reports = Vec::new();
    let mut failed = false;
    // The corpus's bureau aliases and metadata file apply here as in `index`.
    let (inputs, warnings) =
        ParseInputs::load_for_corpus(&global.corpus, global.metadata.as_deref())
            .map_err(|e| anyhow::anyhow!(e))?;
    print_metadata_warnings(&warnings);
    for path in &args.files {
        match crate::ingest::extract::load(path) {
            Ok(loaded) => {
                let shown = path.to_string_lossy().into_owned();
                let rel = corpus_relative(path, &global.corpus);
                reports.push(inputs.parse(
                    &rel,
                    &shown,
                    &crate::ingest::crawl::doc_id(&rel),
                    &loaded,
                ));
            }
            Err(err) => {
                eprintln!(
                    "fazhi: {}: {}",
                    printable(&path.display().to_string()),
                    printable(&err.cause.to_string())
                );
                failed = true;
            }
        }
    }
    let out = if args.format == "json" {
        render_json(&reports)?
    } else {
        // Text from the files, for a terminal: no raw control characters.
        printable_lines(&render_text(&reports)).into_owned()
    };
    if !out.is_empty() {
        // Not println!: a closed pipe (`| head`) is an error to end on quietly, not a panic.
        writeln!(std::io::stdout().lock(), "{out}")?;
    }
    Ok(if failed {
        Outcome::Incomplete
    } else {
        Outcome::Done
    })
}

/// The doc id the index gives this file: from its path relative to the
/// corpus folder when it lies inside it, else from the path as given — so
/// ids printed here work with `fazhi show`.
fn corpus_relative(path: &Path, corpus: &Path) -> String {
    let rel = path.strip_prefix(corpus).unwrap_or(path);
    let rel: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    rel.join("/")
}

/// One object for one report, an array for several.
pub fn render_json(reports: &[Report]) -> anyhow::Result<String> {
    Ok(match reports {
        [one] => serde_json::to_string_pretty(one)?,
        many => serde_json::to_string_pretty(many)?,
    })
}

/// Metadata lines, then the outline indented by level with line numbers.
pub fn render_text(reports: &[Report]) -> String {
    let mut out = String::new();
    for (k, r) in reports.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
        let from = |source: &Option<String>| {
            source
                .as_deref()
                .map_or(String::new(), |s| format!("  [{s}]"))
        };
        let reg = &r.region;
        let place: Vec<String> = [
            (&reg.province, &reg.province_code),
            (&reg.city, &reg.city_code),
            (&reg.county, &reg.county_code),
            (&reg.township, &reg.township_code),
        ]
        .iter()
        .filter_map(|(n, c)| {
            n.as_ref()
                .map(|n| format!("{n}({})", c.as_deref().unwrap_or("?")))
        })
        .collect();
        let _ = writeln!(out, "path:        {}", r.path);
        let _ = writeln!(out, "encoding:    {}", r.encoding);
        let _ = writeln!(
            out,
            "title:       {}{}",
            opt(&r.title),
            from(&r.sources.title)
        );
        let _ = writeln!(
            out,
            "bureau:      {}{}",
            opt(&r.bureau),
            from(&r.sources.bureau)
        );
        if r.bureau_as_written.is_some() && r.bureau_as_written != r.bureau {
            let _ = writeln!(out, "as written:  {}", opt(&r.bureau_as_written));
        }
        let _ = writeln!(
            out,
            "report_year: {}{}",
            r.report_year.map_or("-".to_string(), |y| y.to_string()),
            from(&r.sources.report_year)
        );
        let _ = writeln!(out, "date:        {}", opt(&r.publish_date));
        let _ = writeln!(out, "doc_number:  {}", opt(&r.doc_number));
        let _ = writeln!(out, "addressee:   {}", opt(&r.addressee));
        let _ = writeln!(
            out,
            "region:      {}",
            if place.is_empty() {
                "-".to_string()
            } else {
                place.join(" ")
            }
        );
        if let Some(url) = &r.url {
            let _ = writeln!(out, "url:         {url}");
        }
        let _ = writeln!(out, "sections:    {}", r.sections.len());

        if let Some(p) = &r.preamble {
            let _ = writeln!(out, "{}", level0_line("(正文前言)", p));
        }
        for s in &r.sections {
            let indent = "  ".repeat(usize::from(s.level));
            let _ = writeln!(out, "{:>5}  {indent}{}", s.line_start, s.heading);
        }
        if let Some(c) = &r.closing {
            let _ = writeln!(out, "{}", level0_line("(结尾)", c));
        }
    }
    out.trim_end().to_string()
}

fn level0_line(label: &str, s: &Section) -> String {
    let preview: String = s.body.chars().take(30).collect();
    format!("{:>5}  {label} {preview}…", s.line_start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::LoadedText;

    fn report() -> Report {
        let text = "某某县教育局2022年度法治政府建设工作报告\n2022年，我局推进工作。\n一、主要工作\n（一）加强领导。正文。\n";
        let loaded = LoadedText {
            text: text.into(),
            encoding: "UTF-8".into(),
            content_hash: String::new(),
        };
        crate::report::parse_report("corpus/a.txt", "a", &loaded)
    }

    #[test]
    fn json_has_issue_fields_and_nulls() {
        let json = render_json(&[report()]).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        for key in [
            "path",
            "encoding",
            "title",
            "bureau",
            "report_year",
            "publish_date",
            "doc_number",
            "addressee",
            "region",
            "sections",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        assert!(v["publish_date"].is_null());
        assert!(v["doc_number"].is_null());
        let s = &v["sections"][1];
        for key in [
            "id",
            "level",
            "heading",
            "heading_path",
            "line_start",
            "line_end",
            "body",
        ] {
            assert!(s.get(key).is_some(), "{key}");
        }
        assert_eq!(s["heading"], "（一）加强领导");
        let two = render_json(&[report(), report()]).unwrap();
        assert!(
            serde_json::from_str::<serde_json::Value>(&two)
                .unwrap()
                .is_array()
        );
    }

    #[test]
    fn text_outline_is_indented_with_lines() {
        let t = render_text(&[report()]);
        assert!(t.contains("title:       某某县教育局2022年度法治政府建设工作报告"));
        assert!(t.contains("    3    一、主要工作"));
        assert!(t.contains("    4      （一）加强领导"));
    }

    #[test]
    fn paths_are_relative_to_the_corpus_as_in_the_index() {
        let corpus = Path::new("corpus");
        assert_eq!(
            corpus_relative(Path::new("corpus/000_700b.txt"), corpus),
            "000_700b.txt"
        );
        assert_eq!(
            corpus_relative(Path::new("other/报告.txt"), corpus),
            "other/报告.txt"
        );
    }
}
