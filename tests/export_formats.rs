//! The streaming exporters on synthetic hits with hostile text — commas,
//! quotes, line breaks, tabs, a leading BOM-like character, empty fields —
//! written to files and read back with independent readers (csv, calamine,
//! serde_json): every field must round-trip and row counts must match.

use std::fs::File;

use calamine::{Data, Reader, Xlsx, open_workbook};
use fazhi::export::{ExportFormat, ExportOptions, Exporter};
use fazhi::output::HIT_COLUMNS;
use fazhi::query::{Hit, StoredSection};
use serde_json::Value;

fn hostile_hit(i: usize) -> Hit {
    let snippet = match i % 4 {
        0 => format!("逗号,引号\"双\"与“全角”，换行\r\n第二行\t制表 {i}"),
        1 => "\"以引号开头, 以逗号结尾,".to_string(),
        2 => "\u{feff}看似BOM的字符 = 公式?".to_string(),
        _ => String::new(),
    };
    Hit {
        rank: i + 1,
        score: 10.0 / (i as f32 + 1.0),
        doc_id: format!("doc{}", i / 3),
        section_id: format!("doc{}-{i}", i / 3),
        path: format!("corpus/报告, \"{i}\".txt"),
        line_start: i as u64 + 1,
        line_end: i as u64 + 3,
        bureau: (i % 5 != 4).then(|| format!("第{}教育局", i % 3)),
        province: Some("甘肃省".to_string()),
        city: None,
        county: i.is_multiple_of(2).then(|| "宁县".to_string()),
        report_year: (i % 7 != 6).then_some(2020 + (i % 4) as u64),
        publish_date: Some("2021-03-04".to_string()),
        title: Some(format!("标题\n带换行 {i}")),
        url: None,
        heading: "一、合法性审查".to_string(),
        heading_path: vec![
            "一、总体".to_string(),
            "（一）合法性审查, \"引\"".to_string(),
        ],
        level: 2,
        snippet,
        highlights: vec![(0, 2)],
        matched: vec!["合法性审查".to_string(), "法制,审核".to_string()],
    }
}

fn write(format: ExportFormat, hits: &[Hit], opts: &ExportOptions) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    let f: File = file.reopen().unwrap();
    let mut ex = Exporter::new(format, f, opts).unwrap();
    for h in hits {
        ex.push(h, None).unwrap();
    }
    assert_eq!(ex.count(), hits.len() as u64);
    ex.finish().unwrap();
    file
}

fn hits(n: usize) -> Vec<Hit> {
    (0..n).map(hostile_hit).collect()
}

fn expected_row(h: &Hit) -> Vec<String> {
    vec![
        h.rank.to_string(),
        h.score.to_string(),
        h.bureau.clone().unwrap_or_default(),
        h.province.clone().unwrap_or_default(),
        h.city.clone().unwrap_or_default(),
        h.county.clone().unwrap_or_default(),
        h.report_year.map(|y| y.to_string()).unwrap_or_default(),
        h.publish_date.clone().unwrap_or_default(),
        h.title.clone().unwrap_or_default(),
        h.heading_path.join(" > "),
        h.snippet.clone(),
        h.matched.join(";"),
        h.path.clone(),
        h.line_start.to_string(),
        h.line_end.to_string(),
        h.doc_id.clone(),
        h.section_id.clone(),
        h.url.clone().unwrap_or_default(),
    ]
}

#[test]
fn csv_round_trips_hostile_text() {
    let hits = hits(40);
    for bom in [true, false] {
        let opts = ExportOptions {
            bom,
            ..ExportOptions::default()
        };
        let file = write(ExportFormat::Csv, &hits, &opts);
        let bytes = std::fs::read(file.path()).unwrap();
        assert_eq!(bytes.starts_with(b"\xEF\xBB\xBF"), bom);
        let body = if bom { &bytes[3..] } else { &bytes[..] };
        let mut r = csv::ReaderBuilder::new().from_reader(body);
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), HIT_COLUMNS);
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(rows.len(), hits.len());
        for (row, h) in rows.iter().zip(&hits) {
            let mut want = expected_row(h);
            assert_eq!(row[1].parse::<f32>().unwrap(), h.score);
            want[1] = row[1].clone();
            assert_eq!(row, &want);
        }
    }
}

#[test]
fn json_and_jsonl_round_trip() {
    let hits = hits(25);
    // Scores are f32: compare them as f32, everything else as JSON values.
    let split = |mut v: Value| -> (f32, Value) {
        let score = v["score"].as_f64().unwrap() as f32;
        v.as_object_mut().unwrap().remove("score");
        (score, v)
    };
    let want: Vec<(f32, Value)> = hits
        .iter()
        .map(|h| split(serde_json::to_value(h).unwrap()))
        .collect();
    let file = write(ExportFormat::Json, &hits, &ExportOptions::default());
    let got: Vec<Value> = serde_json::from_slice(&std::fs::read(file.path()).unwrap()).unwrap();
    assert_eq!(got.into_iter().map(split).collect::<Vec<_>>(), want);
    let file = write(ExportFormat::Jsonl, &hits, &ExportOptions::default());
    let text = std::fs::read_to_string(file.path()).unwrap();
    let got: Vec<(f32, Value)> = text
        .lines()
        .map(|l| split(serde_json::from_str(l).unwrap()))
        .collect();
    assert_eq!(got, want);
    // Empty exports are still valid documents.
    let file = write(ExportFormat::Json, &[], &ExportOptions::default());
    let got: Vec<Value> = serde_json::from_slice(&std::fs::read(file.path()).unwrap()).unwrap();
    assert!(got.is_empty());
}

fn cell(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

#[test]
fn xlsx_round_trips_with_summary() {
    let hits = hits(30);
    let file = write(ExportFormat::Xlsx, &hits, &ExportOptions::default());
    let mut wb: Xlsx<_> = open_workbook(file.path()).unwrap();
    assert_eq!(wb.sheet_names(), vec!["hits", "bureaus"]);
    let range = wb.worksheet_range("hits").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            let mut v: Vec<String> = r.iter().map(cell).collect();
            v.resize(HIT_COLUMNS.len(), String::new());
            v
        })
        .collect();
    assert_eq!(rows[0], HIT_COLUMNS);
    assert_eq!(rows.len() - 1, hits.len());
    for (row, h) in rows[1..].iter().zip(&hits) {
        let mut want = expected_row(h);
        // Scores are numbers in Excel: compare as numbers.
        let score: f32 = row[1].parse().unwrap();
        assert!((score - h.score).abs() < 1e-5);
        want[1] = row[1].clone();
        // Tabs, quotes and line breaks survive the XML; a cell's line break is \n.
        for w in want.iter_mut() {
            *w = w.replace("\r\n", "\n");
        }
        assert_eq!(row, &want);
    }

    let summary = wb.worksheet_range("bureaus").unwrap();
    let rows: Vec<Vec<String>> = summary
        .rows()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    assert_eq!(
        rows[0],
        vec![
            "bureau",
            "province",
            "city",
            "county",
            "sections",
            "reports",
            "years",
            "best_rank"
        ]
    );
    let total: usize = rows[1..]
        .iter()
        .map(|r| r[4].parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, hits.len());
    // Sorted by sections, most first.
    let counts: Vec<usize> = rows[1..].iter().map(|r| r[4].parse().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    // best_rank is the rank of the bureau's first hit.
    for r in &rows[1..] {
        let first = hits
            .iter()
            .find(|h| {
                h.bureau.clone().unwrap_or_default() == r[0]
                    && h.county.clone().unwrap_or_default() == r[3]
            })
            .unwrap();
        assert_eq!(r[7], first.rank.to_string());
    }
}

#[test]
fn bulk_needs_the_section() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut ex = Exporter::new(
        ExportFormat::NdjsonBulk,
        file.reopen().unwrap(),
        &ExportOptions::default(),
    )
    .unwrap();
    assert!(ex.push(&hostile_hit(0), None).is_err());
    let section = StoredSection {
        section_id: "d-1".into(),
        doc_id: "d".into(),
        body: "正文,\"引号\"\n换行".into(),
        publish_date: Some("2021年3月4日".into()),
        ..StoredSection::default()
    };
    ex.push(&hostile_hit(0), Some(&section)).unwrap();
    ex.finish().unwrap();
    let text = std::fs::read_to_string(file.path()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0],
        serde_json::json!({"create": {"_index": "fazhi", "_id": "d-1"}})
    );
    assert_eq!(lines[1]["body"], "正文,\"引号\"\n换行");
    assert_eq!(
        lines[1]["publish_date"],
        Value::Null,
        "non-ISO dates are dropped"
    );
}
