//! In-process query latency per query kind (common word, domain phrase,
//! rare term, two-term AND, a string crossing a word boundary, filters,
//! `--within sentence`, an exclusion, topic ranking, and the per-bureau
//! aggregation of `fazhi bureaus` on a frequent phrase) on an index of generated reports
//! (see `benches/common/mod.rs` for `FAZHI_BENCH_REPORTS` and
//! `FAZHI_BENCH_INDEX`). Search cases are a full `fazhi::query::search` with limit 10:
//! matching, BM25 ranking, stored-field loads and snippets.
//!
//! `cargo bench --bench query`

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

fn bench_query(c: &mut Criterion) {
    let engine = common::fixture_engine();
    let mut g = c.benchmark_group("query");
    g.sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for case in common::query_mix() {
        g.bench_function(case.kind, |b| b.iter(|| black_box(case.run(&engine))));
    }
    g.finish();
}

criterion_group!(benches, bench_query);
criterion_main!(benches);
