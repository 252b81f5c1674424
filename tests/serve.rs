//! `fazhi serve` end to end: the real binary on a free port over a copy of
//! the bundled corpus, each endpoint checked against the CLI's JSON for
//! the same request (same hits, same order, same counts), the error
//! cases, path traversal attempts, 16 concurrent clients, a reload after
//! `fazhi index`, and a clean stop on SIGTERM.
//!
//! The client is a few lines of HTTP/1.1 over a `TcpStream`, so that the
//! request line goes out exactly as written (`..` and `%2e%2e` unnormalised).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Fixture;
use serde_json::Value;

/// A running server, stopped when dropped.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    addr: String,
}

impl Server {
    fn start(fx: &Fixture) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("fazhi"))
            .current_dir(fx.dir.path())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env_remove("FAZHI_INDEX")
            .env_remove("FAZHI_CORPUS")
            .env_remove("FAZHI_METADATA")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("fazhi: serving http://")
            .unwrap_or_else(|| panic!("start line: {line:?}"))
            .to_string();
        assert!(
            addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
            "{addr}"
        );
        Server { child, addr }
    }

    fn get(&self, target: &str) -> Response {
        get(&self.addr, target)
    }

    /// GET a JSON endpoint that must answer 200.
    fn json(&self, target: &str) -> Value {
        let r = self.get(target);
        assert_eq!(r.status, 200, "{target}: {}", r.text());
        serde_json::from_slice(&r.body).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

fn get(addr: &str, target: &str) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = unchunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

/// The body of a `Transfer-Encoding: chunked` response.
fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = std::str::from_utf8(&raw[..eol]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        raw = &raw[eol + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

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

/// `path?k=v&…`, values percent-encoded.
fn url(path: &str, params: &[(&str, &str)]) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// The CLI's JSON array for `args` (an empty array on exit 1).
fn cli_json(fx: &Fixture, args: &[&str]) -> Vec<Value> {
    let out = fx.run(args);
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if out.stdout.is_empty() {
        return Vec::new();
    }
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Searches the tests ask both ways: (query, extra parameters as `(name, value)`).
const SEARCHES: &[(&str, &[(&str, &str)])] = &[
    ("法律顾问", &[]),
    ("合法性审查", &[]),
    ("法治", &[]),
    ("行政执法 OR 普法", &[]),
    ("\"法治政府\" -疫情", &[]),
    ("法治", &[("year", "2020..2021")]),
    ("法治", &[("province", "浙江")]),
    ("法律 顾问", &[("within", "sentence")]),
    ("法治", &[("topic", "普法")]),
];

/// The CLI arguments of a search with these API parameters.
fn cli_args<'a>(q: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<String> {
    let mut args = vec![
        "search".to_string(),
        "-f".into(),
        "json".into(),
        "-n".into(),
        "0".into(),
    ];
    for (k, v) in extra {
        args.push(format!("--{k}"));
        args.push(v.to_string());
    }
    args.push("--".into());
    args.extend(q.split(' ').map(str::to_string));
    args
}

fn cli_search(fx: &Fixture, q: &str, extra: &[(&str, &str)]) -> Vec<Value> {
    let args = cli_args(q, extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cli_json(fx, &args)
}

#[test]
fn endpoints_answer_as_the_cli_does() {
    let fx = Fixture::indexed();
    let server = Server::start(&fx);

    // Search: every page of every search is the CLI's list, sliced.
    for (q, extra) in SEARCHES {
        let all = cli_search(&fx, q, extra);
        assert!(
            !all.is_empty() || *q == "\"法治政府\" -疫情",
            "{q}: no hits to compare"
        );
        for (limit, offset) in [(20, 0), (3, 0), (3, 3), (5, 7), (100, 50)] {
            let mut params = vec![("q", *q)];
            params.extend_from_slice(extra);
            let (l, o) = (limit.to_string(), offset.to_string());
            params.push(("limit", &l));
            params.push(("offset", &o));
            let page = server.json(&url("/api/search", &params));
            assert_eq!(page["total"], all.len(), "{q} {extra:?}");
            let want: Vec<&Value> = all.iter().skip(offset).take(limit).collect();
            let got: Vec<&Value> = page["hits"].as_array().unwrap().iter().collect();
            assert_eq!(got, want, "{q} {extra:?} limit {limit} offset {offset}");
        }
    }

    // Facets: exact counts of the CLI's full hit list.
    for (q, extra) in SEARCHES {
        let all = cli_search(&fx, q, extra);
        let mut params = vec![("q", *q), ("facets", "1"), ("limit", "1")];
        params.extend_from_slice(extra);
        let page = server.json(&url("/api/search", &params));
        let facets = &page["facets"];
        assert_eq!(facets["total"], all.len());
        for (facet, field) in [
            ("province", "province"),
            ("year", "report_year"),
            ("bureau", "bureau"),
        ] {
            let mut want: std::collections::BTreeMap<String, usize> = Default::default();
            for hit in &all {
                match &hit[field] {
                    Value::String(s) => *want.entry(s.clone()).or_default() += 1,
                    Value::Number(n) => *want.entry(n.to_string()).or_default() += 1,
                    _ => {}
                }
            }
            let got: std::collections::BTreeMap<String, usize> = facets[facet]["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    (
                        v["value"].as_str().unwrap().to_string(),
                        v["count"].as_u64().unwrap() as usize,
                    )
                })
                .collect();
            assert_eq!(got, want, "{q} {extra:?} facet {facet}");
        }
        // A topic's count is the number of hits of the search within it.
        if extra.iter().any(|(k, _)| *k == "topic") {
            continue;
        }
        for v in facets["topic"]["values"].as_array().unwrap() {
            let topic = v["value"].as_str().unwrap();
            let mut with_topic: Vec<(&str, &str)> = extra.to_vec();
            with_topic.push(("topic", topic));
            let within = cli_search(&fx, q, &with_topic);
            assert_eq!(v["count"], within.len(), "{q} topic {topic}");
        }
    }
    let alone = server.json(&url("/api/facets", &[("q", "法治")]));
    let inline = server.json(&url("/api/search", &[("q", "法治"), ("facets", "1")]));
    assert_eq!(alone, inline["facets"]);

    // Topic: pages of the CLI's ranking.
    let topic_all = cli_json(&fx, &["topic", "普法", "-n", "0", "-f", "json"]);
    assert!(topic_all.len() > 4);
    for (limit, offset) in [(20, 0), (2, 0), (2, 2), (3, topic_all.len() - 1)] {
        let page = server.json(&url(
            "/api/topic",
            &[
                ("name", "普法"),
                ("limit", &limit.to_string()),
                ("offset", &offset.to_string()),
            ],
        ));
        let want: Vec<&Value> = topic_all.iter().skip(offset).take(limit).collect();
        let got: Vec<&Value> = page["hits"].as_array().unwrap().iter().collect();
        assert_eq!(got, want, "topic limit {limit} offset {offset}");
        assert_eq!(page["more"], offset + limit < topic_all.len());
        assert_eq!(page["topic"], "普法");
    }

    // Bureaus, with --all: the CLI's rows (plus highlights).
    for (q, all) in [("法律顾问", true), ("法治", false)] {
        let mut args = vec!["bureaus", "-f", "json", "-n", "0", q];
        let mut params = vec![("q", q), ("limit", "5000")];
        if all {
            args.push("--all");
            params.push(("all", "1"));
        }
        let want = cli_json(&fx, &args);
        let page = server.json(&url("/api/bureaus", &params));
        let got: Vec<Value> = page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.as_object_mut().unwrap().remove("highlights");
                r
            })
            .collect();
        assert_eq!(got, want, "bureaus {q}");
        assert_eq!(page["total"], want.len());
    }

    // Matrix and stats: the CLI's JSON objects.
    let out = fx.run(&["matrix", "-f", "json"]);
    let want: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got = server.json("/api/matrix");
    assert_eq!(
        got["bureaus_total"],
        want["bureaus"].as_array().unwrap().len()
    );
    got.as_object_mut().unwrap().remove("bureaus_total");
    assert_eq!(got, want);
    let out = fx.run(&[
        "matrix",
        "-f",
        "json",
        "--topics",
        "普法,法律顾问",
        "--year",
        "2020",
    ]);
    let want: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got = server.json(&url(
        "/api/matrix",
        &[("topics", "普法,法律顾问"), ("year", "2020")],
    ));
    got.as_object_mut().unwrap().remove("bureaus_total");
    assert_eq!(got, want);
    let top = server.json("/api/matrix?limit=2");
    assert_eq!(top["bureaus"].as_array().unwrap().len(), 2);
    let out = fx.run(&["stats", "-f", "json"]);
    let want: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(server.json("/api/stats"), want);

    // Report: metadata and every section, as `fazhi show DOC_ID -f json`.
    let hit = &cli_search(&fx, "法律顾问", &[])[0];
    let doc_id = hit["doc_id"].as_str().unwrap();
    let want = cli_json(&fx, &["show", doc_id, "-f", "json"]);
    let report = server.json(&format!("/api/report/{doc_id}"));
    assert_eq!(report["sections"].as_array().unwrap(), &want);
    assert_eq!(report["doc_id"], doc_id);
    assert_eq!(report["bureau"], hit["bureau"]);
    assert!(want.iter().any(|s| s["section_id"] == hit["section_id"]));

    // Export: the very bytes of `fazhi export`, as a download.
    for (format, ext) in [("csv", "csv"), ("json", "json"), ("jsonl", "jsonl")] {
        for (q, topic) in [
            (Some("法律顾问"), None),
            (None, Some("普法")),
            (Some("法治"), Some("普法")),
        ] {
            let file = fx.dir.path().join(format!("x.{ext}"));
            let _ = std::fs::remove_file(&file);
            let mut args = vec![
                "export".to_string(),
                "-o".into(),
                file.display().to_string(),
            ];
            let mut params = vec![("format", format)];
            if let Some(t) = topic {
                args.extend(["--topic".to_string(), t.to_string()]);
                params.push(("topic", t));
            }
            if let Some(q) = q {
                args.push(q.to_string());
                params.push(("q", q));
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            fx.cmd().args(&args).assert().success();
            let want = std::fs::read(&file).unwrap();
            let r = server.get(&url("/api/export", &params));
            assert_eq!(r.status, 200, "{}", r.text());
            assert_eq!(
                r.header("content-disposition"),
                Some(format!("attachment; filename=\"fazhi-export.{ext}\"").as_str())
            );
            assert_eq!(r.body, want, "export {format} {q:?} {topic:?}");
        }
    }
    let csv = server.get(&url("/api/export", &[("q", "法律顾问")]));
    assert!(
        csv.body.starts_with("\u{feff}rank,".as_bytes()),
        "BOM and header"
    );
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let xlsx = server.get(&url(
        "/api/export",
        &[("q", "法律顾问"), ("format", "xlsx")],
    ));
    assert_eq!(xlsx.status, 200);
    let path = fx.dir.path().join("got.xlsx");
    std::fs::write(&path, &xlsx.body).unwrap();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let hits = book.worksheet_range("hits").unwrap();
    assert_eq!(hits.height(), 1 + cli_search(&fx, "法律顾问", &[]).len());
}

#[test]
fn bad_requests_are_json_errors_and_paths_stay_inside() {
    let fx = Fixture::indexed();
    let server = Server::start(&fx);
    let r = server.get(&url("/api/search", &[("q", "法律 \"顾问")]));
    assert_eq!(r.status, 400);
    let body = r.json();
    assert!(
        body["error"].as_str().unwrap().contains("bad query"),
        "{body}"
    );
    assert_eq!(body["position"], 3);
    for (target, status) in [
        (url("/api/search", &[("q", "法治"), ("limit", "101")]), 400),
        (url("/api/search", &[("q", "法治"), ("limit", "0")]), 400),
        (
            url("/api/search", &[("q", "法治"), ("offset", "10001")]),
            400,
        ),
        (url("/api/search", &[("q", "法治"), ("limit", "x")]), 400),
        (url("/api/search", &[("q", &"法".repeat(501))]), 400),
        (url("/api/search", &[("q", "法治"), ("year", "20x")]), 400),
        (
            url("/api/search", &[("q", "法治"), ("within", "page")]),
            400,
        ),
        (
            url("/api/search", &[("q", "法治"), ("topic", "没有的主题")]),
            400,
        ),
        ("/api/search".to_string(), 400),
        ("/api/search?q=%FF".to_string(), 400),
        (url("/api/topic", &[("name", "没有的主题")]), 400),
        (url("/api/export", &[("format", "csv")]), 400),
        (url("/api/export", &[("q", "法治"), ("format", "exe")]), 400),
        ("/api/report/0123456789abcdef".to_string(), 404),
        ("/api/report/..%2f..%2fCargo.toml".to_string(), 404),
        ("/api/report/not-an-id".to_string(), 404),
        ("/api/nothing".to_string(), 404),
    ] {
        let r = server.get(&target);
        assert_eq!(r.status, status, "{target}: {}", r.text());
        assert!(r.json()["error"].is_string(), "{target}");
    }
    // Traversal: nothing outside the compiled-in files is ever served.
    for target in [
        "/../Cargo.toml",
        "/../../etc/passwd",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E%2FCargo.toml",
        "/..%2fCargo.toml",
        "/.%2e/.%2e/Cargo.toml",
        "/%252e%252e%252fCargo.toml",
        "/..%5cCargo.toml",
        "/app.js/../../Cargo.toml",
        "/corpus/",
        "/src/serve/mod.rs",
        "/Cargo.toml",
    ] {
        let r = server.get(target);
        assert!(r.status == 400 || r.status == 404, "{target}: {}", r.status);
        let text = r.text();
        assert!(
            !text.contains("[package]") && !text.contains("root:"),
            "{target}: {text}"
        );
    }
    // The page and its files.
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().contains("app.js"));
    for asset in ["/app.js", "/style.css", "/favicon.svg"] {
        assert_eq!(server.get(asset).status, 200, "{asset}");
    }
}

#[test]
fn sixteen_concurrent_clients_are_all_answered() {
    let fx = Fixture::indexed();
    let server = Server::start(&fx);
    let want = server.json(&url("/api/search", &[("q", "法治"), ("limit", "10")]));
    let targets: Vec<String> = vec![
        url("/api/search", &[("q", "法治"), ("limit", "10")]),
        url("/api/search", &[("q", "法律顾问"), ("facets", "1")]),
        url("/api/topic", &[("name", "普法")]),
        url("/api/bureaus", &[("q", "法律顾问"), ("all", "1")]),
        "/api/matrix".to_string(),
        "/api/stats".to_string(),
        url("/api/export", &[("q", "法律顾问")]),
        "/".to_string(),
    ];
    let addr = server.addr.clone();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|client| {
                let (addr, targets, want) = (&addr, &targets, &want);
                scope.spawn(move || {
                    for i in 0..25 {
                        let target = &targets[(client + i) % targets.len()];
                        let r = get(addr, target);
                        assert_eq!(r.status, 200, "client {client} request {i} {target}");
                        if target == &targets[0] {
                            assert_eq!(&r.json(), want);
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
}

#[test]
fn a_new_commit_is_picked_up_and_sigterm_stops_cleanly() {
    let fx = Fixture::indexed();
    let mut server = Server::start(&fx);
    let before = server.json("/api/stats")["reports"].as_u64().unwrap();
    let q = url("/api/search", &[("q", "鲸鱼保护专项行动")]);
    assert_eq!(server.json(&q)["total"], 0);
    std::fs::write(
        fx.corpus().join("新增报告.txt"),
        "某县司法局2022年法治政府建设工作报告\n\n一、主要工作\n今年开展鲸鱼保护专项行动，推进依法行政。\n",
    )
    .unwrap();
    fx.cmd().args(["index", "--quiet"]).assert().success();
    // The watcher looks once a second; give it ample time on a busy machine.
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.json("/api/stats")["reports"].as_u64().unwrap() == before {
        assert!(
            Instant::now() < deadline,
            "the new commit was not picked up"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(server.json(&q)["total"], 1);

    let pid = server.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = server.child.wait().unwrap();
    assert!(status.success(), "exit after SIGTERM: {status:?}");
}

/// The headless browser: `FAZHI_CHROMIUM`, else `chromium` (Debian's
/// package, which `.ci/run` installs) or `chromium-browser` on the PATH.
/// Missing, the browser tests skip with a message — except under CI
/// (`CI` set), where they fail.
fn chromium() -> Option<std::path::PathBuf> {
    let found = std::env::var_os("FAZHI_CHROMIUM")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            let path = std::env::var_os("PATH")?;
            std::env::split_paths(&path)
                .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
                .find(|p| p.is_file())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing under CI (.ci/run installs the Debian package `chromium`)"
        );
        eprintln!("skipping the browser test: no chromium (apt-get install chromium)");
    }
    found
}

/// Load `url` in headless Chromium, let its scripts run, and return the
/// rendered DOM; also save a screenshot as `shot` (in a temp folder).
fn rendered_dom(browser: &std::path::Path, url: &str, shot: &std::path::Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let base = |extra: &[&str]| {
        let mut cmd = Command::new(browser);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stderr(Stdio::null());
        cmd
    };
    let dom = base(&["--dump-dom"]).output().unwrap();
    assert!(dom.status.success(), "chromium failed on {url}");
    let shot_arg = format!("--screenshot={}", shot.display());
    let status = base(&["--window-size=1280,900", &shot_arg])
        .status()
        .unwrap();
    assert!(status.success(), "chromium screenshot of {url}");
    assert!(
        std::fs::metadata(shot).is_ok_and(|m| m.len() > 1000),
        "{}",
        shot.display()
    );
    String::from_utf8_lossy(&dom.stdout).into_owned()
}

#[test]
fn a_real_browser_renders_hits_and_a_report() {
    let Some(browser) = chromium() else { return };
    let fx = Fixture::indexed();
    let server = Server::start(&fx);
    let shots = tempfile::tempdir().unwrap();
    let hits = cli_search(&fx, "法律顾问", &[]);
    assert!(hits.len() >= 2);

    // The search page: every hit, its bureau, highlighted snippets, facets.
    let dom = rendered_dom(
        &browser,
        &format!("http://{}/?q={}", server.addr, enc("法律顾问")),
        &shots.path().join("search.png"),
    );
    assert_eq!(
        dom.matches("<li class=\"hit\">").count(),
        hits.len(),
        "{dom}"
    );
    for hit in &hits {
        let bureau = hit["bureau"].as_str().unwrap();
        assert!(
            dom.contains(&format!("<span class=\"bureau\">{bureau}</span>")),
            "{bureau}"
        );
        let line = format!("{}:{}", hit["path"].as_str().unwrap(), hit["line_start"]);
        assert!(dom.contains(&line), "{line}");
    }
    assert!(
        dom.matches("<mark>法律顾问</mark>").count() >= hits.len(),
        "{dom}"
    );
    assert!(dom.contains(&format!("共 {} 个段落", hits.len())));
    assert!(dom.contains("<h3>省份</h3>") && dom.contains("<h3>主题</h3>"));
    assert!(dom.contains("/api/export?q=") && dom.contains("format=xlsx"));

    // A hit's report: metadata, outline, the section marked and in view.
    let hit = &hits[0];
    let section = hit["section_id"].as_str().unwrap();
    let report = format!(
        "http://{}/?view=report&doc={}&section={section}&q={}",
        server.addr,
        hit["doc_id"].as_str().unwrap(),
        enc("法律顾问")
    );
    let dom = rendered_dom(&browser, &report, &shots.path().join("report.png"));
    let title = hit["title"].as_str().unwrap();
    assert!(
        dom.contains(&format!("<h1 class=\"view-title\">{title}</h1>")),
        "{dom}"
    );
    assert!(
        dom.contains(&format!("class=\"sec focus\" data-section=\"{section}\"")),
        "{dom}"
    );
    assert_eq!(dom.matches("class=\"sec focus\"").count(), 1);
    assert!(dom.contains("<nav class=\"toc\""));
    assert!(dom.contains("<mark>法律顾问</mark>"));
}
