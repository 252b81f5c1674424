//! The XLSX workbook: a `hits` sheet written row by row in constant memory
//! and a `bureaus` summary sheet.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use rust_xlsxwriter::{Format as XlsxFormat, Workbook, Worksheet};

use super::TEXT_COLUMN;
use crate::output::HIT_COLUMNS;

/// The cells of one XLSX hits row, as a record: fixed-size numbers, then
/// 14 length-prefixed strings (bureau, province, city, county,
/// publish_date, title, heading_path, snippet, matched, path, doc_id,
/// section_id, url, text).
pub(super) struct XlsxRow<'a> {
    pub(super) rank: u64,
    pub(super) score: f32,
    pub(super) report_year: Option<u64>,
    pub(super) line_start: u64,
    pub(super) line_end: u64,
    pub(super) strs: [&'a str; 14],
}

impl<'a> XlsxRow<'a> {
    pub(super) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.rank.to_le_bytes());
        out.extend_from_slice(&self.score.to_le_bytes());
        out.push(u8::from(self.report_year.is_some()));
        out.extend_from_slice(&self.report_year.unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&self.line_start.to_le_bytes());
        out.extend_from_slice(&self.line_end.to_le_bytes());
        for s in self.strs {
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }

    pub(super) fn decode(mut rec: &'a [u8]) -> anyhow::Result<XlsxRow<'a>> {
        fn take<'b>(rec: &mut &'b [u8], n: usize) -> anyhow::Result<&'b [u8]> {
            anyhow::ensure!(rec.len() >= n, "truncated export record");
            let (head, tail) = rec.split_at(n);
            *rec = tail;
            Ok(head)
        }
        fn u64_of(rec: &mut &[u8]) -> anyhow::Result<u64> {
            Ok(u64::from_le_bytes(take(rec, 8)?.try_into()?))
        }
        let rank = u64_of(&mut rec)?;
        let score = f32::from_le_bytes(take(&mut rec, 4)?.try_into()?);
        let has_year = take(&mut rec, 1)?[0] == 1;
        let year = u64_of(&mut rec)?;
        let line_start = u64_of(&mut rec)?;
        let line_end = u64_of(&mut rec)?;
        let mut strs = [""; 14];
        for s in &mut strs {
            let n = u64_of(&mut rec)? as usize;
            *s = std::str::from_utf8(take(&mut rec, n)?)?;
        }
        Ok(XlsxRow {
            rank,
            score,
            report_year: has_year.then_some(year),
            line_start,
            line_end,
            strs,
        })
    }
}
/// Columns of the XLSX `bureaus` sheet.
pub const SUMMARY_COLUMNS: [&str; 8] = [
    "bureau",
    "province",
    "city",
    "county",
    "sections",
    "reports",
    "years",
    "best_rank",
];

#[derive(Debug, Default)]
pub(super) struct BureauTally {
    pub(super) sections: u64,
    /// Hashes of the reports' doc ids (8 bytes each, not the strings).
    pub(super) reports: HashSet<u64>,
    pub(super) years: BTreeSet<u64>,
    pub(super) best_rank: usize,
}

pub(super) type RegionKey = (String, String, String, String);

/// Excel's last row index (1,048,576 rows per sheet).
pub(super) const XLSX_MAX_ROW: u32 = 1_048_575;

/// Column widths (in characters) of the hits sheet, by [`HIT_COLUMNS`] order.
pub(super) const HIT_WIDTHS: [f64; 18] = [
    6.0, 8.0, 22.0, 10.0, 10.0, 10.0, 8.0, 12.0, 40.0, 40.0, 80.0, 18.0, 32.0, 8.0, 8.0, 18.0,
    22.0, 40.0,
];

/// Text for a cell: a line break in a cell is `\n`; a `\r` would be
/// stored as Excel's `_x000D_` escape, which other readers show literally.
pub(super) fn cell_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        s.into()
    }
}

pub(super) struct XlsxSink {
    pub(super) workbook: Workbook,
    pub(super) bold: XlsxFormat,
    pub(super) sheet: usize,
    pub(super) row: u32,
    pub(super) summary: BTreeMap<RegionKey, BureauTally>,
    /// Whether the hits sheet has the [`TEXT_COLUMN`].
    pub(super) text: bool,
}

/// Width of the text column.
const TEXT_WIDTH: f64 = 100.0;

/// Excel's limit on the characters of one cell.
pub(super) const XLSX_MAX_CELL_CHARS: usize = 32_767;

/// Marks a text cut at [`XLSX_MAX_CELL_CHARS`].
const CUT_MARK: &str = "…[截断]";

/// `s` cut to fit one Excel cell, with [`CUT_MARK`] at the cut.
fn fit_cell(s: &str) -> std::borrow::Cow<'_, str> {
    let keep = XLSX_MAX_CELL_CHARS - CUT_MARK.chars().count();
    match s.char_indices().nth(XLSX_MAX_CELL_CHARS) {
        None => s.into(),
        Some(_) => {
            let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
            format!("{}{CUT_MARK}", &s[..end]).into()
        }
    }
}
impl XlsxSink {
    pub(super) fn current(&mut self) -> anyhow::Result<&mut Worksheet> {
        Ok(self.workbook.worksheet_from_index(self.sheet)?)
    }

    /// A new constant-memory hits sheet with its header; `hits`, then
    /// `hits (2)`… when Excel's row limit is reached.
    pub(super) fn add_hits_sheet(&mut self) -> anyhow::Result<()> {
        let n = self.workbook.worksheets().len();
        let name = if n == 0 {
            "hits".to_string()
        } else {
            format!("hits ({})", n + 1)
        };
        let bold = self.bold.clone();
        let ws = self.workbook.add_worksheet_with_constant_memory();
        ws.set_name(&name)?;
        let text = self.text.then_some((TEXT_COLUMN, TEXT_WIDTH));
        let columns = HIT_COLUMNS.into_iter().zip(HIT_WIDTHS).chain(text);
        for (col, (title, width)) in columns.enumerate() {
            ws.set_column_width(col as u16, width)?;
            ws.write_string_with_format(0, col as u16, title, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        self.sheet = n;
        self.row = 0;
        Ok(())
    }

    pub(super) fn finish_hits_sheet(&mut self) -> anyhow::Result<()> {
        let last_row = self.row.max(1);
        let last_col = (HIT_COLUMNS.len() - usize::from(!self.text)) as u16;
        self.current()?.autofilter(0, 0, last_row, last_col)?;
        Ok(())
    }

    pub(super) fn push(&mut self, row: &XlsxRow<'_>) -> anyhow::Result<()> {
        if self.row == XLSX_MAX_ROW {
            self.finish_hits_sheet()?;
            self.add_hits_sheet()?;
        }
        self.row += 1;
        let r = self.row;
        let [
            bureau,
            province,
            city,
            county,
            publish_date,
            title,
            heading_path,
            snippet,
            matched,
            path,
            doc_id,
            section_id,
            url,
            text,
        ] = row.strs;
        let with_text = self.text;
        let ws = self.current()?;
        ws.write_number(r, 0, row.rank as f64)?;
        ws.write_number(r, 1, f64::from(row.score))?;
        // Text is always written as string cells, never as formulas, so a
        // cell starting with `=` cannot run in Excel.
        let strings: [(u16, &str); 6] = [
            (2, bureau),
            (3, province),
            (4, city),
            (5, county),
            (7, publish_date),
            (8, title),
        ];
        for (col, s) in strings {
            if !s.is_empty() {
                ws.write_string(r, col, cell_text(s))?;
            }
        }
        if let Some(y) = row.report_year {
            ws.write_number(r, 6, y as f64)?;
        }
        ws.write_string(r, 9, cell_text(heading_path))?;
        ws.write_string(r, 10, cell_text(snippet))?;
        ws.write_string(r, 11, cell_text(matched))?;
        ws.write_string(r, 12, cell_text(path))?;
        ws.write_number(r, 13, row.line_start as f64)?;
        ws.write_number(r, 14, row.line_end as f64)?;
        ws.write_string(r, 15, doc_id)?;
        ws.write_string(r, 16, section_id)?;
        if !url.is_empty() {
            ws.write_string(r, 17, cell_text(url))?;
        }
        if with_text {
            ws.write_string(r, HIT_COLUMNS.len() as u16, fit_cell(&cell_text(text)))?;
        }

        let rank = row.rank as usize;
        let key = (
            bureau.to_string(),
            province.to_string(),
            city.to_string(),
            county.to_string(),
        );
        let tally = self.summary.entry(key).or_insert_with(|| BureauTally {
            best_rank: rank,
            ..BureauTally::default()
        });
        tally.sections += 1;
        tally
            .reports
            .insert(xxhash_rust::xxh3::xxh3_64(doc_id.as_bytes()));
        tally.years.extend(row.report_year);
        tally.best_rank = tally.best_rank.min(rank);
        Ok(())
    }

    /// The `bureaus` sheet: one row per bureau, most sections first.
    pub(super) fn write_summary(&mut self) -> anyhow::Result<()> {
        let bold = self.bold.clone();
        let mut rows: Vec<(&RegionKey, &BureauTally)> = self.summary.iter().collect();
        rows.sort_by(|a, b| b.1.sections.cmp(&a.1.sections).then(a.0.cmp(b.0)));
        let mut ws = Worksheet::new();
        ws.set_name("bureaus")?;
        let widths = [22.0, 10.0, 10.0, 10.0, 9.0, 9.0, 24.0, 10.0];
        for (col, (title, width)) in SUMMARY_COLUMNS.iter().zip(widths).enumerate() {
            ws.set_column_width(col as u16, width)?;
            ws.write_string_with_format(0, col as u16, *title, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (i, ((bureau, province, city, county), t)) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (col, s) in [bureau, province, city, county].into_iter().enumerate() {
                if !s.is_empty() {
                    ws.write_string(r, col as u16, cell_text(s))?;
                }
            }
            ws.write_number(r, 4, t.sections as f64)?;
            ws.write_number(r, 5, t.reports.len() as f64)?;
            let years: Vec<String> = t.years.iter().map(u64::to_string).collect();
            ws.write_string(r, 6, years.join(";"))?;
            ws.write_number(r, 7, t.best_rank as f64)?;
        }
        ws.autofilter(0, 0, (rows.len() as u32).max(1), 7)?;
        self.workbook.push_worksheet(ws);
        Ok(())
    }
}
