//! Query latency percentiles (p50/p95/p99) over the benchmark query mix,
//! in process, on a warm index: the latency targets are stated as
//! percentiles, which criterion does not report. Not a criterion bench
//! (`harness = false`, plain `main`).
//!
//! `cargo bench --bench latency` (set `FAZHI_BENCH_INDEX` to measure an
//! existing index, e.g. the 100k-report one built by `benches/scale.sh`;
//! `FAZHI_LATENCY_ROUNDS`, default 30, sets the runs per query).

mod common;

use std::time::Instant;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is ignored.
    let rounds: usize = std::env::var("FAZHI_LATENCY_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let engine = common::fixture_engine();
    let searcher = engine.searcher();
    println!(
        "index {}: {} sections in {} segment(s); {rounds} runs per query after one warm-up",
        engine.handle().dir.display(),
        searcher.num_docs(),
        searcher.segment_readers().len()
    );
    let mut all = Vec::new();
    println!(
        "{:<16} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "kind", "hits", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    for case in common::query_mix() {
        let hits = case.run(&engine);
        let mut times: Vec<f64> = (0..rounds)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(case.run(&engine));
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        all.extend_from_slice(&times);
        times.sort_by(f64::total_cmp);
        println!(
            "{:<16} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            case.kind,
            hits,
            percentile(&times, 50.0),
            percentile(&times, 95.0),
            percentile(&times, 99.0),
            times.last().copied().unwrap_or(f64::NAN)
        );
    }
    all.sort_by(f64::total_cmp);
    println!(
        "{:<16} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
        "ALL",
        "",
        percentile(&all, 50.0),
        percentile(&all, 95.0),
        percentile(&all, 99.0),
        all.last().copied().unwrap_or(f64::NAN)
    );
    println!("targets (100k reports): p50 <= 2 ms, p95 <= 30 ms, p99 <= 50 ms");
}
