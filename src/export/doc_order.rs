//! Exporting a ranked match list in two passes: encode in index order,
//! write in rank order.
//!
//! Loading hits from the doc store in rank order is random access: each hit
//! decompresses a whole zstd block (256 KiB) for one section (9.6k hits/s on the
//! 100k-report index). Here the hits are visited in document order instead,
//! so each block is decompressed once and every hit in it is read from the
//! cached block. Each hit's record (its bytes in the output file, see
//! [`RecordEncoder`]) goes to a temporary spill file beside the destination,
//! and its place there is noted by rank; the second pass copies the records
//! from the (memory-mapped) spill into the exporter in rank order.
//!
//! Memory: the match list (12 bytes a hit), the visiting order (4) and the
//! record places (12) — 28 bytes a hit, whatever the size of the hits —
//! plus one decompressed block and one record per thread. The spill file
//! is as large as the export (it is deleted when done) and is read back
//! from the page cache.
//!
//! Documents are parsed straight from the store's bytes (tantivy's binary
//! document format: a VInt field count, then per value a `u32` field id, a
//! type code and the value) without building a `TantivyDocument`; a
//! document with any other value type falls back to [`load_section`].

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use anyhow::Context;
use tantivy::store::StoreReader;
use tantivy::{DocAddress, Searcher};

use super::{Exporter, RecordEncoder, RowInput, SectionRef, Strs};
use crate::index::Fields;
use crate::query::{Atom, SNIPPET_WIDTH, Snippeter, load_section};

/// What an [`export_matches`] did.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportStats {
    /// Hits written.
    pub hits: u64,
    /// Bytes of records spilled (and copied into the file).
    pub spill_bytes: u64,
    /// Seconds of the index-order pass (reading, snippets, encoding).
    pub encode_secs: f64,
    /// Seconds of the rank-order pass (copying records into the file).
    pub write_secs: f64,
}

/// Bits of a record's spill position that hold the spill file's number.
const SPILL_SHIFT: u32 = 58;

/// Write `matches` (best first, as from [`crate::query::all_matches`]) to
/// `exporter` in that order, ranks from 1, with snippets and matched
/// strings for the positive `atoms` of the query. Records are encoded by
/// `threads` threads over consecutive ranges of documents; spill files go
/// to `spill_dir`.
pub fn export_matches<W: Write + Seek + Send>(
    searcher: &Searcher,
    fields: &Fields,
    matches: &[(f32, DocAddress)],
    atoms: &[&Atom],
    exporter: &mut Exporter<W>,
    spill_dir: &Path,
    threads: usize,
) -> anyhow::Result<ExportStats> {
    let start = std::time::Instant::now();
    let n = matches.len();
    anyhow::ensure!(n < u32::MAX as usize, "too many hits to export: {n}");
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by_key(|&i| matches[i as usize].1);
    let pos: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let len: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();

    let threads = threads.clamp(1, 8).min(n.div_ceil(10_000).max(1));
    let chunk = n.div_ceil(threads).max(1);
    let table = FieldTable::new(fields);
    let results: Vec<anyhow::Result<(File, u64)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = order
            .chunks(chunk)
            .enumerate()
            .map(|(t, part)| {
                let mut encoder = exporter.encoder();
                let (table, pos, len) = (&table, &pos, &len);
                scope.spawn(move || -> anyhow::Result<(File, u64)> {
                    let spill = tempfile::tempfile_in(spill_dir).with_context(|| {
                        format!("cannot create a temporary file in {}", spill_dir.display())
                    })?;
                    let mut out = BufWriter::with_capacity(1 << 20, spill);
                    let mut pass = Pass::new(searcher, fields, table, atoms);
                    let mut record = Vec::with_capacity(4096);
                    let mut at = 0u64;
                    for &i in part {
                        let (score, addr) = matches[i as usize];
                        record.clear();
                        pass.encode(i as usize + 1, score, addr, &mut encoder, &mut record)?;
                        out.write_all(&record)?;
                        pos[i as usize].store((t as u64) << SPILL_SHIFT | at, Ordering::Relaxed);
                        let l = u32::try_from(record.len()).context("a record over 4 GiB")?;
                        len[i as usize].store(l, Ordering::Relaxed);
                        at += record.len() as u64;
                    }
                    let spill = out.into_inner().map_err(|e| e.into_error())?;
                    Ok((spill, at))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("export thread panicked")))
            })
            .collect()
    });
    drop(order);
    let encode_secs = start.elapsed().as_secs_f64();
    let mut maps = Vec::new();
    let mut spill_bytes = 0;
    for r in results {
        let (file, size) = r?;
        spill_bytes += size;
        maps.push(if size == 0 {
            None
        } else {
            // SAFETY: the spill is an unnamed temporary file only this
            // process has, and nothing writes to it any more.
            let map = unsafe { memmap2::Mmap::map(&file) }.context("cannot map the spill file")?;
            let _ = map.advise(memmap2::Advice::Random);
            Some(map)
        });
    }
    for (p, l) in pos.iter().zip(&len) {
        let p = p.load(Ordering::Relaxed);
        let (spill, at) = (
            (p >> SPILL_SHIFT) as usize,
            (p & ((1 << SPILL_SHIFT) - 1)) as usize,
        );
        let l = l.load(Ordering::Relaxed) as usize;
        let bytes: &[u8] = match &maps[spill] {
            Some(map) => &map[at..at + l],
            None => &[],
        };
        exporter.push_record(bytes)?;
    }
    Ok(ExportStats {
        hits: n as u64,
        spill_bytes,
        encode_secs,
        write_secs: start.elapsed().as_secs_f64() - encode_secs,
    })
}

/// Per-thread state of the index-order pass.
struct Pass<'s> {
    searcher: &'s Searcher,
    fields: &'s Fields,
    table: &'s FieldTable,
    stores: Vec<Option<StoreReader>>,
    atoms: &'s [&'s Atom],
    snippeter: Snippeter,
    matched: Vec<&'s str>,
}

impl<'s> Pass<'s> {
    fn new(
        searcher: &'s Searcher,
        fields: &'s Fields,
        table: &'s FieldTable,
        atoms: &'s [&'s Atom],
    ) -> Self {
        let needles: Vec<&str> = atoms.iter().map(|a| a.normalized.as_str()).collect();
        Pass {
            searcher,
            fields,
            table,
            stores: searcher.segment_readers().iter().map(|_| None).collect(),
            atoms,
            snippeter: Snippeter::new(&needles),
            matched: Vec::new(),
        }
    }

    fn encode(
        &mut self,
        rank: usize,
        score: f32,
        addr: DocAddress,
        encoder: &mut RecordEncoder,
        out: &mut Vec<u8>,
    ) -> anyhow::Result<()> {
        let seg = addr.segment_ord as usize;
        if self.stores[seg].is_none() {
            // One cached block: documents are visited in order.
            let store = self
                .searcher
                .segment_reader(addr.segment_ord)
                .get_store_reader(1)?;
            self.stores[seg] = Some(store);
        }
        let store = self.stores[seg].as_ref().expect("opened above");
        let bytes = store
            .get_document_bytes(addr.doc_id)
            .context("cannot read a document from the index")?;
        let bulk = !encoder.needs_snippet();
        let mut topics = Vec::new();
        let owned;
        let shown_path;
        let lead_title;
        let section = match self.table.parse(&bytes, bulk.then_some(&mut topics)) {
            Some(raw) => {
                lead_title = raw.strs[Str::LeadTitle as usize];
                // The path as hits show it (`load_section` does the same).
                let mut section = raw.section(&topics);
                shown_path = self.fields.paths.show(section.path);
                section.path = &shown_path;
                section
            }
            None => {
                owned = load_section(self.searcher, self.fields, addr)?;
                lead_title = owned.lead_title();
                SectionRef::from_section(&owned)
            }
        };
        self.matched.clear();
        if !bulk {
            let (h, b) = (section.heading, section.body);
            self.snippeter.run_section(lead_title, h, b, SNIPPET_WIDTH);
            for (k, a) in self.atoms.iter().enumerate() {
                if self.snippeter.found(k) {
                    self.matched.push(&a.text);
                }
            }
        }
        let row = RowInput {
            rank,
            score,
            section: &section,
            snippet: &self.snippeter.text,
            highlights: &self.snippeter.highlights,
            matched: &self.matched,
        };
        encoder.encode(&row, out)
    }
}

/// Stored fields a section is made of, by slot in [`RawDoc`].
#[derive(Clone, Copy)]
enum Str {
    DocId,
    SectionId,
    Path,
    Title,
    Bureau,
    Province,
    ProvinceCode,
    City,
    CityCode,
    County,
    CountyCode,
    PublishDate,
    DocNumber,
    Url,
    Heading,
    HeadingPath,
    /// The title, on the section it stands over only.
    LeadTitle,
    Body,
}
const N_STR: usize = Str::Body as usize + 1;

#[derive(Clone, Copy)]
enum Num {
    ReportYear,
    Level,
    Ordinal,
    LineStart,
    LineEnd,
}
const N_NUM: usize = Num::LineEnd as usize + 1;

#[derive(Clone, Copy)]
enum Slot {
    Skip,
    Str(Str),
    Num(Num),
    Topic,
}

/// Field id → slot.
struct FieldTable(Vec<Slot>);

/// One document's stored values, borrowed from the store's bytes (the
/// first value of each field, as `TantivyDocument::get_first`).
struct RawDoc<'a> {
    strs: [Option<&'a str>; N_STR],
    nums: [Option<u64>; N_NUM],
}

const TEXT_CODE: u8 = 0;
const U64_CODE: u8 = 1;
const I64_CODE: u8 = 2;
const F64_CODE: u8 = 6;

fn vint(bytes: &[u8], p: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*p)?;
        *p += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b >= 0x80 {
            return Some(v);
        }
    }
    None
}

impl FieldTable {
    fn new(f: &Fields) -> Self {
        let pairs = [
            (f.doc_id, Slot::Str(Str::DocId)),
            (f.section_id, Slot::Str(Str::SectionId)),
            (f.path, Slot::Str(Str::Path)),
            (f.title, Slot::Str(Str::Title)),
            (f.bureau, Slot::Str(Str::Bureau)),
            (f.province, Slot::Str(Str::Province)),
            (f.province_code, Slot::Str(Str::ProvinceCode)),
            (f.city, Slot::Str(Str::City)),
            (f.city_code, Slot::Str(Str::CityCode)),
            (f.county, Slot::Str(Str::County)),
            (f.county_code, Slot::Str(Str::CountyCode)),
            (f.publish_date, Slot::Str(Str::PublishDate)),
            (f.doc_number, Slot::Str(Str::DocNumber)),
            (f.url, Slot::Str(Str::Url)),
            (f.heading, Slot::Str(Str::Heading)),
            (f.heading_path, Slot::Str(Str::HeadingPath)),
            (f.lead_title, Slot::Str(Str::LeadTitle)),
            (f.body, Slot::Str(Str::Body)),
            (f.report_year, Slot::Num(Num::ReportYear)),
            (f.level, Slot::Num(Num::Level)),
            (f.ordinal, Slot::Num(Num::Ordinal)),
            (f.line_start, Slot::Num(Num::LineStart)),
            (f.line_end, Slot::Num(Num::LineEnd)),
            (f.topic, Slot::Topic),
        ];
        let max = pairs.iter().map(|(f, _)| f.field_id()).max().unwrap_or(0);
        let mut table = vec![Slot::Skip; max as usize + 1];
        for (f, slot) in pairs {
            table[f.field_id() as usize] = slot;
        }
        FieldTable(table)
    }

    /// Parse a stored document; `None` if it holds a value type other than
    /// text and numbers (or is malformed), for the caller to fall back.
    /// Topics are collected only if `topics` is given.
    fn parse<'a>(
        &self,
        bytes: &'a [u8],
        mut topics: Option<&mut Vec<&'a str>>,
    ) -> Option<RawDoc<'a>> {
        let mut doc = RawDoc {
            strs: [None; N_STR],
            nums: [None; N_NUM],
        };
        let mut p = 0;
        let count = vint(bytes, &mut p)?;
        for _ in 0..count {
            let field = u32::from_le_bytes(bytes.get(p..p + 4)?.try_into().ok()?);
            let code = *bytes.get(p + 4)?;
            p += 5;
            let slot = self.0.get(field as usize).copied().unwrap_or(Slot::Skip);
            match code {
                TEXT_CODE => {
                    let n = vint(bytes, &mut p)? as usize;
                    let raw = bytes.get(p..p.checked_add(n)?)?;
                    p += n;
                    match slot {
                        Slot::Str(s) if doc.strs[s as usize].is_none() => {
                            doc.strs[s as usize] = Some(simdutf8::basic::from_utf8(raw).ok()?);
                        }
                        Slot::Topic => {
                            if let Some(t) = topics.as_deref_mut() {
                                t.push(simdutf8::basic::from_utf8(raw).ok()?);
                            }
                        }
                        _ => {}
                    }
                }
                U64_CODE | I64_CODE | F64_CODE => {
                    let v = u64::from_le_bytes(bytes.get(p..p + 8)?.try_into().ok()?);
                    p += 8;
                    if let (U64_CODE, Slot::Num(n)) = (code, slot)
                        && doc.nums[n as usize].is_none()
                    {
                        doc.nums[n as usize] = Some(v);
                    }
                }
                _ => return None,
            }
        }
        Some(doc)
    }
}

impl<'a> RawDoc<'a> {
    fn section(&self, topics: &'a [&'a str]) -> SectionRef<'a> {
        let s = |k: Str| self.strs[k as usize];
        let n = |k: Num| self.nums[k as usize];
        SectionRef {
            doc_id: s(Str::DocId).unwrap_or(""),
            section_id: s(Str::SectionId).unwrap_or(""),
            path: s(Str::Path).unwrap_or(""),
            title: s(Str::Title),
            bureau: s(Str::Bureau),
            province: s(Str::Province),
            province_code: s(Str::ProvinceCode),
            city: s(Str::City),
            city_code: s(Str::CityCode),
            county: s(Str::County),
            county_code: s(Str::CountyCode),
            report_year: n(Num::ReportYear),
            publish_date: s(Str::PublishDate),
            doc_number: s(Str::DocNumber),
            url: s(Str::Url),
            heading: s(Str::Heading).unwrap_or(""),
            heading_path: SectionRef::stored_heading_path(s(Str::HeadingPath).unwrap_or("")),
            level: n(Num::Level).unwrap_or(0),
            ordinal: n(Num::Ordinal).unwrap_or(0),
            body: s(Str::Body).unwrap_or(""),
            line_start: n(Num::LineStart).unwrap_or(0),
            line_end: n(Num::LineEnd).unwrap_or(0),
            topics: Strs::Borrowed(topics),
        }
    }
}
