//! `fazhi export` reads sections in index order (one pass over the doc
//! store) and writes them in rank order; these tests run the real binary
//! and check that the file is in rank order — the same order, rows and
//! snippets as `fazhi search -n 0` — for a query whose rank order is not
//! the index order; and that CSV/XLSX cells that a spreadsheet would run
//! as formulas are guarded.

use calamine::{Data, Reader, Xlsx, open_workbook};
use fazhi::output::HIT_COLUMNS;
use serde_json::Value;

mod common;

use common::{Fixture, jsonl};

const QUERY: &str = "\"法治\" OR \"依法\" OR 教育";

#[test]
fn rank_order_after_the_index_order_pass() {
    let fx = Fixture::indexed();
    let reference = fx.search_json(&[QUERY, "-n", "0"]);
    assert!(reference.len() > 20, "want many hits: {}", reference.len());
    let ids = |hits: &[Value]| -> Vec<String> {
        hits.iter()
            .map(|h| h["section_id"].as_str().unwrap().to_string())
            .collect()
    };

    // The index order of the same sections (`--all` is unscored: index order).
    let all = fx.dir.path().join("all.jsonl");
    let out = fx.run(&["export", "--all", "-o", all.to_str().unwrap()]);
    assert!(out.status.success());
    let wanted: std::collections::HashSet<String> = ids(&reference).into_iter().collect();
    let index_order: Vec<String> = ids(&jsonl(&all))
        .into_iter()
        .filter(|id| wanted.contains(id))
        .collect();
    assert_ne!(
        index_order,
        ids(&reference),
        "the test needs a rank order that differs from the index order"
    );

    let dest = fx.dir.path().join("hits.jsonl");
    let out = fx.run(&["export", QUERY, "-o", dest.to_str().unwrap(), "--no-text"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = jsonl(&dest);
    assert_eq!(
        got, reference,
        "export = search -n 0, hit for hit, in rank order"
    );
    let scores: Vec<f64> = got.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first");

    let rows = export_csv(&fx, QUERY);
    let col = |name: &str| HIT_COLUMNS.iter().position(|c| *c == name).unwrap();
    assert_eq!(rows.len(), reference.len());
    for (i, (row, hit)) in rows.iter().zip(&reference).enumerate() {
        assert_eq!(row[col("rank")], (i + 1).to_string());
        assert_eq!(row[col("section_id")], *hit["section_id"].as_str().unwrap());
        assert_eq!(row[col("snippet")], *hit["snippet"].as_str().unwrap());
    }
}

/// A report whose text starts with spreadsheet formulas.
const HOSTILE: &str = "=1+2执法检查情况，=HYPERLINK(\"http://example.com\",\"点击\")\n\
+1+1 执法人员培训\n\
-2 执法监督\n\
@SUM(A1) 执法公示\n";

#[test]
fn formula_cells_are_guarded_in_csv_and_text_in_xlsx() {
    let fx = Fixture::new();
    std::fs::write(fx.corpus().join("999_formula.txt"), HOSTILE).unwrap();
    let out = fx.run(&["index", "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let rows = export_csv(&fx, "执法");
    let col = |name: &str| HIT_COLUMNS.iter().position(|c| *c == name).unwrap();
    let hostile: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| r[col("path")].contains("999_formula"))
        .collect();
    assert!(!hostile.is_empty(), "the hostile report is exported");
    let mut guarded = 0;
    for row in &hostile {
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "unguarded formula cell {cell:?}"
            );
            if cell.starts_with("'=") || cell.starts_with("'+") {
                guarded += 1;
            }
        }
    }
    assert!(guarded > 0, "some cell needed the guard: {hostile:?}");
    // Ordinary negative-looking numbers are not text cells: rank, score,
    // lines stay numbers.
    for row in &rows {
        assert!(row[col("rank")].parse::<u64>().is_ok());
        assert!(row[col("score")].parse::<f64>().is_ok());
    }

    let xlsx = fx.dir.path().join("x.xlsx");
    let out = fx.run(&["export", "执法", "-o", xlsx.to_str().unwrap()]);
    assert!(out.status.success());
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let range = wb.worksheet_range("hits").unwrap();
    let formulas = wb.worksheet_formula("hits").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell is a formula"
    );
    let found = range.rows().skip(1).any(|row| {
        row.iter()
            .any(|c| matches!(c, Data::String(s) if s.starts_with("=1+2")))
    });
    assert!(found, "the formula text is kept verbatim as a string cell");
}

/// `fazhi export QUERY` to a CSV file (no BOM) in the fixture; its data rows.
fn export_csv(fx: &Fixture, query: &str) -> Vec<csv::StringRecord> {
    let csv_path = fx.dir.path().join("hits.csv");
    let out = fx.run(&[
        "export",
        query,
        "-o",
        csv_path.to_str().unwrap(),
        "--no-bom",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_path(&csv_path).unwrap();
    r.records().map(Result::unwrap).collect()
}
