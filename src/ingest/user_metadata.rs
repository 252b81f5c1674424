//! A user's own metadata for their files: `metadata.csv` or
//! `metadata.jsonl` in the corpus folder, or `--metadata FILE`.
//!
//! Researchers who crawl reports already know each file's URL, site and
//! date, and sometimes its bureau; what they give wins over what fazhi
//! extracts. Each row has `path` (relative to the corpus folder, as
//! `fazhi search` prints it) plus any of `url, bureau, title, report_year,
//! publish_date, province, city, county`; empty cells mean "not given".
//! A bad row is a warning naming the file and line, never an error: the
//! other rows and the whole corpus are still used.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// File names looked for in the corpus folder, in this order.
pub const CORPUS_METADATA_FILES: &[&str] = &["metadata.csv", "metadata.jsonl"];

/// The columns a row may have besides `path`.
pub const COLUMNS: &[&str] = &[
    "path",
    "url",
    "bureau",
    "title",
    "report_year",
    "publish_date",
    "province",
    "city",
    "county",
];

/// What the user says about one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub url: Option<String>,
    pub bureau: Option<String>,
    pub title: Option<String>,
    pub report_year: Option<i32>,
    pub publish_date: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
}

/// Rows by normalised path.
#[derive(Debug, Clone, Default)]
pub struct UserMetadata {
    rows: HashMap<String, UserRow>,
}

impl UserMetadata {
    /// The metadata file to use: `explicit`, else one in the corpus folder.
    pub fn locate(explicit: Option<&Path>, corpus: &Path) -> Option<PathBuf> {
        if let Some(p) = explicit {
            return Some(p.to_path_buf());
        }
        CORPUS_METADATA_FILES
            .iter()
            .map(|name| corpus.join(name))
            .find(|p| p.is_file())
    }

    /// Read a metadata file. A file that cannot be read or has no `path`
    /// column is an error (`FILE: cause`); a bad row is a warning.
    pub fn load(path: &Path) -> Result<(UserMetadata, Vec<String>), String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: {}", path.display(), super::crawl::io_cause(&e)))?;
        let is_jsonl = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"));
        let parsed = if is_jsonl {
            parse_jsonl(&text)
        } else {
            parse_csv(&text)
        };
        let (rows, problems) = parsed.map_err(|e| format!("{}: {e}", path.display()))?;
        let warnings = problems
            .into_iter()
            .map(|(line, msg)| format!("{}: line {line}: {msg}", path.display()))
            .collect();
        Ok((UserMetadata { rows }, warnings))
    }

    /// The row for a file, by its path relative to the corpus folder.
    pub fn get(&self, rel_path: &str) -> Option<&UserRow> {
        self.rows.get(&normalize_path(rel_path))
    }
}

/// `./a\b.txt` → `a/b.txt`: the spellings of one relative path agree.
fn normalize_path(path: &str) -> String {
    let slashed = path.trim().replace('\\', "/");
    let mut p = slashed.as_str();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.trim_start_matches('/').to_string()
}

type Parsed = (HashMap<String, UserRow>, Vec<(usize, String)>);

/// One row from `(column, value)` pairs; `Err` says what is wrong with it.
fn row_from<'a>(
    cells: impl Iterator<Item = (&'a str, String)>,
) -> Result<(String, UserRow), String> {
    let mut path = None;
    let mut row = UserRow::default();
    for (column, value) in cells {
        let value = value.trim().to_string();
        if value.is_empty() {
            continue;
        }
        match column {
            "path" => path = Some(normalize_path(&value)),
            "url" => row.url = Some(value),
            "bureau" => row.bureau = Some(value),
            "title" => row.title = Some(value),
            "report_year" => {
                let year: i32 = value
                    .parse()
                    .ok()
                    .filter(|y| (1949..=2100).contains(y))
                    .ok_or_else(|| format!("report_year {value:?} is not a year"))?;
                row.report_year = Some(year);
            }
            "publish_date" => {
                let date = crate::text::dates::parse_date_only(&value)
                    .ok_or_else(|| format!("publish_date {value:?} is not a date (YYYY-MM-DD)"))?;
                row.publish_date = Some(date);
            }
            "province" => row.province = Some(value),
            "city" => row.city = Some(value),
            "county" => row.county = Some(value),
            _ => {}
        }
    }
    let path = path.ok_or("no path")?;
    Ok((path, row))
}

fn parse_csv(text: &str) -> Result<Parsed, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if !headers.iter().any(|h| h == "path") {
        return Err(format!(
            "no `path` column (columns: {}; expected path plus any of {})",
            headers.join(", "),
            COLUMNS[1..].join(", ")
        ));
    }
    let mut rows = HashMap::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push((line, format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cells = headers
            .iter()
            .map(String::as_str)
            .zip(record.iter().map(str::to_string));
        match row_from(cells) {
            Ok((path, row)) => {
                rows.insert(path, row);
            }
            Err(msg) => problems.push((line, msg)),
        }
    }
    Ok((rows, problems))
}

fn parse_jsonl(text: &str) -> Result<Parsed, String> {
    let mut rows = HashMap::new();
    let mut problems = Vec::new();
    for (k, line) in text.lines().enumerate() {
        let line_no = k + 1;
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() {
            continue;
        }
        let object: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(line) {
            Ok(o) => o,
            Err(e) => {
                problems.push((line_no, format!("not a JSON object: {e}")));
                continue;
            }
        };
        let cells = object.iter().filter_map(|(key, value)| {
            let column = COLUMNS.iter().find(|c| **c == key.as_str())?;
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            Some((*column, text))
        });
        match row_from(cells) {
            Ok((path, row)) => {
                rows.insert(path, row);
            }
            Err(msg) => problems.push((line_no, msg)),
        }
    }
    Ok((rows, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_and_bad_rows() {
        let (rows, problems) = parse_csv(
            "\u{feff}path,url,bureau,report_year,publish_date\n./a/x.txt,https://example.gov.cn/1,宁县教育局,2023,2024-04-03\nb.txt,,,20x3,\n,https://example.gov.cn/3,,,\nc.txt,,,,2024-13-40\n",
        )
        .unwrap();
        let a = &rows["a/x.txt"];
        assert_eq!(a.url.as_deref(), Some("https://example.gov.cn/1"));
        assert_eq!(a.bureau.as_deref(), Some("宁县教育局"));
        assert_eq!(a.report_year, Some(2023));
        assert_eq!(a.publish_date.as_deref(), Some("2024-04-03"));
        assert_eq!(rows.len(), 1);
        assert_eq!(
            problems,
            [
                (3, "report_year \"20x3\" is not a year".to_string()),
                (4, "no path".to_string()),
                (
                    5,
                    "publish_date \"2024-13-40\" is not a date (YYYY-MM-DD)".to_string()
                ),
            ]
        );
    }

    #[test]
    fn csv_without_path_column_is_an_error() {
        let err = parse_csv("file,url\na.txt,x\n").unwrap_err();
        assert!(err.contains("no `path` column"), "{err}");
    }

    #[test]
    fn jsonl_rows() {
        let (rows, problems) = parse_jsonl(
            "{\"path\": \"a.txt\", \"report_year\": 2021, \"city\": \"庆阳市\"}\nnot json\n{\"url\": \"x\"}\n",
        )
        .unwrap();
        assert_eq!(rows["a.txt"].report_year, Some(2021));
        assert_eq!(rows["a.txt"].city.as_deref(), Some("庆阳市"));
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].0, 2);
        assert_eq!(problems[1], (3, "no path".to_string()));
    }

    #[test]
    fn path_spellings_agree() {
        assert_eq!(normalize_path("./a\\b.txt"), "a/b.txt");
        assert_eq!(normalize_path("/a/b.txt"), "a/b.txt");
    }
}
