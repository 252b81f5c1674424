//! Tokenization throughput (MB/s of text): the jieba ranking tokenizer and
//! the exact (normalised bigram) matching tokenizer, plus normalisation
//! alone, over the sections of generated reports.
//!
//! `cargo bench --bench tokenize`

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fazhi::analysis::{ExactTokenizer, JiebaTokenizer, normalize};
use fazhi::ingest::LoadedText;
use fazhi::ingest::extract::{Format, extract_bytes};
use fazhi::report::{parse_report, section_text};
use tantivy::tokenizer::{TokenStream, Tokenizer};

/// Section texts (heading + body), as the index tokenizes them.
fn section_texts() -> Vec<String> {
    let mut out = Vec::new();
    for (path, bytes) in common::generated(100) {
        let (text, enc) = extract_bytes(&bytes, Format::of(&path)).unwrap();
        let l = LoadedText {
            text,
            encoding: enc.to_string(),
            content_hash: String::new(),
        };
        let r = parse_report("x", "x", &l);
        out.extend(r.searchable_sections().map(section_text));
    }
    out
}

fn count_tokens(tok: &mut impl Tokenizer, text: &str) -> usize {
    let mut stream = tok.token_stream(text);
    let mut n = 0;
    while stream.advance() {
        n += stream.token().text.len();
    }
    n
}

fn bench_tokenize(c: &mut Criterion) {
    let texts = section_texts();
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let mut jieba = JiebaTokenizer::for_indexing();
    // Load the dictionary before measuring.
    count_tokens(&mut jieba, "法治政府建设");
    let mut exact = ExactTokenizer;

    let mut g = c.benchmark_group("tokenize");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("jieba", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| count_tokens(&mut jieba, t))
                .sum::<usize>()
        })
    });
    g.bench_function("exact_bigrams", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| count_tokens(&mut exact, t))
                .sum::<usize>()
        })
    });
    g.bench_function("normalize", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| black_box(normalize(t)).len())
                .sum::<usize>()
        })
    });
    g.finish();

    // Loading jieba's dictionary: paid once by every process that tokenizes.
    let mut g = c.benchmark_group("jieba_load");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    g.bench_function("build_jieba", |b| {
        b.iter(|| {
            black_box(fazhi::analysis::build_jieba(
                fazhi::analysis::DOMAIN_DICTIONARY,
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, bench_tokenize);
criterion_main!(benches);
