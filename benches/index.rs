//! End-to-end indexing throughput (MB/s of source files): crawl, read,
//! decode, parse, tokenize, write and commit, on a generated corpus
//! (`FAZHI_BENCH_INDEX_REPORTS`, default 400 reports ≈ 3 MB), from scratch
//! and as a no-change incremental run.
//!
//! `cargo bench --bench index`

mod common;

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fazhi::index::{BuildOptions, build};
use fazhi::topics::Taxonomy;

fn bench_index(c: &mut Criterion) {
    let n = std::env::var("FAZHI_BENCH_INDEX_REPORTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let corpus = common::generated_corpus(n);
    let bytes: u64 = walk_bytes(&corpus);
    let taxonomy = Taxonomy::load_for_corpus(&corpus, None).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let opts = |rebuild| BuildOptions {
        corpus: corpus.clone(),
        index_dir: tmp.path().join("index"),
        rebuild,
        progress: false,
        taxonomy: taxonomy.clone(),
        inputs: Default::default(),
        on_text: None,
    };

    let mut g = c.benchmark_group("index");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function(format!("full_build/{n}_reports"), |b| {
        b.iter(|| build(&opts(true)).unwrap())
    });
    build(&opts(true)).unwrap();
    g.bench_function(format!("no_change/{n}_reports"), |b| {
        b.iter(|| build(&opts(false)).unwrap())
    });
    g.finish();
}

fn walk_bytes(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            total += walk_bytes(&path);
        } else {
            total += entry.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    total
}

criterion_group!(benches, bench_index);
criterion_main!(benches);
