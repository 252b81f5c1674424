//! Memory and speed of the streaming exporters, two ways:
//!
//! - synthetic: writes N synthetic hits (default 1,000,000) through the same
//!   [`fazhi::export::Exporter`] that `fazhi export` uses;
//! - real: `index DIR QUERY [FORMAT]` exports every hit of QUERY from the
//!   index in DIR (opened read-only) exactly as `fazhi export` does
//!   (all matches, then [`fazhi::export::export_matches`]).
//!
//! Both print time, file size, peak resident memory (`VmHWM` from
//! /proc/self/status; it includes the index's mmapped pages) and peak heap
//! (from a counting global allocator).
//!
//! ```sh
//! cargo run --release --example export_bench -- 1000000 csv
//! cargo run --release --example export_bench -- 10 xlsx
//! cargo run --release --example export_bench -- index /tmp/s100k/index 执法 csv
//! ```
//! Run one format per process: `VmHWM` is the process's all-time peak.
//! Bounded memory means the peak for 1,000,000 hits is within a few MB of
//! the peak for 10 (benches/export_memory.sh runs both and compares).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use fazhi::export::{ExportFormat, ExportOptions, Exporter, export_matches};
use fazhi::query::{Hit, StoredSection};

/// The system allocator, counting live and peak bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let live = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: forwards to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        if new > layout.size() {
            grew(new - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn peak_heap_mb() -> f64 {
    PEAK.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0)
}

fn parse_format(name: &str) -> anyhow::Result<ExportFormat> {
    Ok(match name {
        "csv" => ExportFormat::Csv,
        "xlsx" => ExportFormat::Xlsx,
        "json" => ExportFormat::Json,
        "jsonl" => ExportFormat::Jsonl,
        "ndjson-bulk" | "bulk" => ExportFormat::NdjsonBulk,
        other => anyhow::bail!("unknown format {other}"),
    })
}

/// `index DIR QUERY [FORMAT]`: the real export of every hit of QUERY.
fn real(mut args: impl Iterator<Item = String>) -> anyhow::Result<()> {
    let dir = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("index DIR QUERY [FORMAT]"))?;
    let text = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("index DIR QUERY [FORMAT]"))?;
    let format = parse_format(args.next().as_deref().unwrap_or("csv"))?;
    let index = std::path::Path::new(&dir);
    // An existing index only (never built here); the built-in taxonomy.
    anyhow::ensure!(fazhi::index::exists(index), "no index at {dir}");
    let engine = fazhi::engine::Engine::open(index, index, None, None)?;
    let handle = engine.handle();
    let query = fazhi::query::parse::parse(&text)?;
    let start = Instant::now();
    let searcher = engine.searcher();
    let matches = engine.export_matches(&fazhi::engine::ExportRequest {
        query: Some(query.clone()),
        ..Default::default()
    })?;
    let searched = start.elapsed().as_secs_f64();
    let heap_matches = peak_heap_mb();
    let out = tempfile::tempdir_in(".")?;
    let path = out.path().join("export.out");
    let file = std::fs::File::create(&path)?;
    let opts = ExportOptions {
        tempdir: Some(out.path().to_path_buf()),
        ..ExportOptions::default()
    };
    let mut ex = Exporter::new(format, file, &opts)?;
    let atoms: Vec<_> = query.positive_atoms().collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let stats = export_matches(
        &searcher,
        &handle.fields,
        &matches,
        &atoms,
        &mut ex,
        out.path(),
        threads,
    )?;
    ex.finish()?.sync_all()?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "format={format:?} hits={} search={searched:.2}s encode={:.2}s write={:.2}s total={secs:.2}s rate={:.0}/s size={:.1}MB spill={:.1}MB peak_heap={:.1}MB (after matching {heap_matches:.1}MB) peak_rss={:.1}MB",
        stats.hits,
        stats.encode_secs,
        stats.write_secs,
        stats.hits as f64 / secs.max(1e-9),
        std::fs::metadata(&path)?.len() as f64 / 1e6,
        stats.spill_bytes as f64 / 1e6,
        peak_heap_mb(),
        vm_hwm_kb().unwrap_or(0) as f64 / 1024.0,
    );
    Ok(())
}

fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

const BUREAUS: [&str; 8] = [
    "长春市教育局",
    "宁县教育局",
    "龙泉市教育局",
    "许昌市教育局",
    "呼兰区教育局",
    "庆阳市司法局",
    "丽水市市场监督管理局",
    "哈尔滨市生态环境局",
];

fn synthetic(i: usize, hit: &mut Hit, section: &mut StoredSection) {
    // 20 sections per report, each report from one bureau.
    let b = BUREAUS[(i / 20) % BUREAUS.len()];
    hit.rank = i + 1;
    hit.score = 1.0 / (1.0 + i as f32);
    hit.doc_id = format!("{:016x}", i / 20);
    hit.section_id = format!("{:016x}-{}", i / 20, i % 20);
    hit.path = format!("corpus/{:06}_{b}.txt", i / 20);
    hit.line_start = (i % 300) as u64 + 1;
    hit.line_end = hit.line_start + 4;
    hit.bureau = Some(b.to_string());
    hit.report_year = Some(2019 + (i % 6) as u64);
    hit.snippet = format!(
        "…加强行政规范性文件和重大行政决策合法性审查,下发“合法性审查”工作通知,第{i}条,在机关内部建立合法性审查工作机制…"
    );
    section.section_id.clone_from(&hit.section_id);
    section.doc_id.clone_from(&hit.doc_id);
    section.path.clone_from(&hit.path);
    section.bureau.clone_from(&hit.bureau);
    section.report_year = hit.report_year;
    section.line_start = hit.line_start;
    section.line_end = hit.line_end;
    section.body = hit.snippet.repeat(8);
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("index") {
        args.next();
        return real(args);
    }
    let n: usize = args
        .next()
        .map(|s| s.replace('_', "").parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let format = parse_format(args.next().as_deref().unwrap_or("csv"))?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("export.out");
    let before = vm_hwm_kb().unwrap_or(0);
    let start = Instant::now();
    let opts = ExportOptions {
        tempdir: Some(dir.path().to_path_buf()),
        ..ExportOptions::default()
    };
    let file = std::fs::File::create(&path)?;
    let mut ex = Exporter::new(format, file, &opts)?;
    let mut hit = Hit {
        rank: 0,
        score: 0.0,
        doc_id: String::new(),
        section_id: String::new(),
        path: String::new(),
        line_start: 0,
        line_end: 0,
        bureau: None,
        province: Some("吉林省".into()),
        city: Some("长春市".into()),
        county: None,
        report_year: None,
        publish_date: Some("2021-01-05".into()),
        title: Some("关于2020年法治政府建设工作情况的报告".into()),
        url: None,
        heading: "六、加强合法性审查".into(),
        heading_path: vec!["二、主要工作".into(), "六、加强合法性审查".into()],
        level: 2,
        snippet: String::new(),
        highlights: vec![(18, 23)],
        matched: vec!["合法性审查".into()],
    };
    let mut section = StoredSection::default();
    let bulk = format.needs_section();
    for i in 0..n {
        synthetic(i, &mut hit, &mut section);
        ex.push(&hit, bulk.then_some(&section))?;
    }
    let streamed = vm_hwm_kb().unwrap_or(0);
    ex.finish()?.sync_all()?;
    let secs = start.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path)?.len();
    let peak = vm_hwm_kb().unwrap_or(0);
    println!(
        "format={format:?} hits={n} time={secs:.2}s rate={:.0}/s size={:.1}MB peak_heap={:.1}MB peak_rss={:.1}MB (before writing {:.1}MB, before finishing {:.1}MB)",
        n as f64 / secs.max(1e-9),
        size as f64 / 1e6,
        peak_heap_mb(),
        peak as f64 / 1024.0,
        before as f64 / 1024.0,
        streamed as f64 / 1024.0
    );
    Ok(())
}
