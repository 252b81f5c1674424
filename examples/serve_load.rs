//! Load generator for `fazhi serve` (run by benches/serve.sh): C client
//! threads each send R requests of a scenario's mix, one connection per
//! request, and the latencies of all are summarised as one line:
//! `scenario clients requests ok errors p50 p95 p99 max req/s` (ms).
//!
//! cargo run --release --example serve_load -- ADDR SCENARIO [CLIENTS] [REQUESTS]
//!
//! Scenarios (searches with limit 20, as the page asks them):
//! - `search`: the query mix of benches/scale.sh, `total` and a page;
//! - `facets`: the same with `facets=1` (exact counts over every hit);
//! - `mixed`: search pages, facets, a topic page, bureaus, the stats and
//!   report views, in turn.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Percent-encode a query parameter value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn url(path: &str, params: &[(&str, &str)]) -> String {
    let q: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect();
    format!("{path}?{}", q.join("&"))
}

/// The searches of benches/scale.sh, as API parameters.
fn searches(extra: &[(&'static str, &'static str)]) -> Vec<String> {
    let mix: [&[(&str, &str)]; 7] = [
        &[("q", "法治")],
        &[("q", "\"双随机、一公开\"")],
        &[("q", "法律顾问 合法性审查")],
        &[("q", "法行政")],
        &[("q", "执法"), ("province", "浙江"), ("year", "2021..2023")],
        &[("q", "法律顾问 合法性审查"), ("within", "sentence")],
        &[("q", "普法 -宪法")],
    ];
    mix.iter()
        .map(|params| {
            let mut p: Vec<(&str, &str)> = params.to_vec();
            p.push(("limit", "20"));
            p.extend_from_slice(extra);
            url("/api/search", &p)
        })
        .collect()
}

/// Status and body length of one GET.
fn get(addr: &str, target: &str) -> std::io::Result<(u16, usize)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(300)))?;
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let head = String::from_utf8_lossy(&raw[..raw.len().min(64)]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, raw.len()))
}

/// A report id from a first search, for the report view.
fn some_doc_id(addr: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    write!(
        s,
        "GET {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n",
        url("/api/search", &[("q", "法治"), ("limit", "1")])
    )
    .ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    let at = body.find("\"doc_id\":\"")? + 10;
    Some(body[at..at + 16].to_string())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let addr = args.get(1).expect("ADDR (127.0.0.1:PORT)").clone();
    let scenario = args.get(2).map_or("search", String::as_str).to_string();
    let clients: usize = args.get(3).map_or(16, |s| s.parse().unwrap());
    let requests: usize = args.get(4).map_or(25, |s| s.parse().unwrap());
    let targets: Vec<String> = match scenario.as_str() {
        "search" => searches(&[]),
        "facets" => searches(&[("facets", "1")]),
        "mixed" => {
            let mut t = searches(&[]);
            t.push(url("/api/search", &[("q", "法律顾问"), ("facets", "1")]));
            t.push(url("/api/search", &[("q", "法治"), ("offset", "40")]));
            t.push(url("/api/topic", &[("name", "行政执法")]));
            t.push(url("/api/bureaus", &[("q", "法律顾问 合法性审查")]));
            t.push("/api/stats".to_string());
            if let Some(doc) = some_doc_id(&addr) {
                t.push(format!("/api/report/{doc}"));
            }
            t
        }
        other => panic!("unknown scenario {other}"),
    };
    let start = Instant::now();
    let results: Vec<(f64, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let (addr, targets) = (&addr, &targets);
                scope.spawn(move || {
                    (0..requests)
                        .map(|i| {
                            let target = &targets[(c * 7 + i) % targets.len()];
                            let t = Instant::now();
                            let ok = matches!(get(addr, target), Ok((200, _)));
                            (t.elapsed().as_secs_f64() * 1000.0, ok)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let wall = start.elapsed().as_secs_f64();
    let mut ms: Vec<f64> = results.iter().map(|r| r.0).collect();
    ms.sort_by(f64::total_cmp);
    let ok = results.iter().filter(|r| r.1).count();
    println!(
        "{scenario} {clients} {} {ok} {} {:.1} {:.1} {:.1} {:.1} {:.1}",
        results.len(),
        results.len() - ok,
        percentile(&ms, 50.0),
        percentile(&ms, 95.0),
        percentile(&ms, 99.0),
        ms.last().copied().unwrap_or(f64::NAN),
        results.len() as f64 / wall
    );
}
