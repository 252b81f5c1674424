//! Parse throughput (MB/s of source bytes): decode + extract + report
//! parsing, on the bundled corpus and on generated reports (UTF-8 text,
//! GB18030 text and HTML in the generator's 85/10/5 mix).
//!
//! `cargo bench --bench parse`

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fazhi::ingest::LoadedText;
use fazhi::ingest::extract::{Format, extract_bytes};
use fazhi::report::parse_report;

fn total(files: &[(impl AsRef<std::path::Path>, Vec<u8>)]) -> u64 {
    files.iter().map(|(_, b)| b.len() as u64).sum()
}

fn bench_parse(c: &mut Criterion) {
    let bundled: Vec<(String, Vec<u8>)> = common::bundled_corpus();
    let generated = common::generated(200);

    let mut g = c.benchmark_group("parse");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));

    // Report parsing alone (text already decoded): clean, metadata, heading tree, region.
    let loaded: Vec<LoadedText> = bundled
        .iter()
        .map(|(_, b)| {
            let (text, enc) = extract_bytes(b, Format::Text).unwrap();
            LoadedText {
                text,
                encoding: enc.to_string(),
                content_hash: String::new(),
            }
        })
        .collect();
    g.throughput(Throughput::Bytes(total(&bundled)));
    g.bench_function("parse_report/bundled", |b| {
        b.iter(|| {
            for l in &loaded {
                black_box(parse_report("x.txt", "x", l));
            }
        })
    });

    // Decode + extract + parse, bundled corpus.
    g.bench_function("load_and_parse/bundled", |b| {
        b.iter(|| {
            for (_, bytes) in &bundled {
                let (text, enc) = extract_bytes(bytes, Format::Text).unwrap();
                let l = LoadedText {
                    text,
                    encoding: enc.to_string(),
                    content_hash: String::new(),
                };
                black_box(parse_report("x.txt", "x", &l));
            }
        })
    });

    // Decode + extract + parse, 200 generated reports (txt / GB18030 / HTML mix).
    g.throughput(Throughput::Bytes(total(&generated)));
    g.bench_function("load_and_parse/generated_mix", |b| {
        b.iter(|| {
            for (path, bytes) in &generated {
                let (text, enc) = extract_bytes(bytes, Format::of(path)).unwrap();
                let l = LoadedText {
                    text,
                    encoding: enc.to_string(),
                    content_hash: String::new(),
                };
                black_box(parse_report("x.txt", "x", &l));
            }
        })
    });

    // The decode/extract stage alone, per format.
    for (label, pick) in [
        (
            "extract/gb18030",
            (|p: &std::path::Path, b: &[u8]| {
                p.extension().is_some_and(|e| e == "txt") && std::str::from_utf8(b).is_err()
            }) as fn(&std::path::Path, &[u8]) -> bool,
        ),
        ("extract/html", |p: &std::path::Path, _b: &[u8]| {
            p.extension().is_some_and(|e| e == "html")
        }),
        ("extract/utf8", |p: &std::path::Path, b: &[u8]| {
            p.extension().is_some_and(|e| e == "txt") && std::str::from_utf8(b).is_ok()
        }),
    ] {
        let subset: Vec<&(std::path::PathBuf, Vec<u8>)> =
            generated.iter().filter(|(p, b)| pick(p, b)).collect();
        if subset.is_empty() {
            continue;
        }
        g.throughput(Throughput::Bytes(
            subset.iter().map(|(_, b)| b.len() as u64).sum(),
        ));
        g.bench_function(label, |b| {
            b.iter(|| {
                for (path, bytes) in &subset {
                    black_box(extract_bytes(bytes, Format::of(path)).unwrap());
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
