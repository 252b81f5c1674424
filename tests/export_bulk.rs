//! `fazhi export --format ndjson-bulk` validated against the configurations
//! published in docs/scale-out.md: every document line must carry exactly
//! the fields of the OpenSearch mapping (which is `dynamic: strict`) and of
//! the Quickwit doc mapping (`mode: strict`), with values of the declared
//! types; action lines must name the index and a unique section id.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use fazhi::export::BULK_FIELDS;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn doc() -> String {
    std::fs::read_to_string(root().join("docs/scale-out.md")).expect("docs/scale-out.md")
}

/// The fenced block following `<!-- marker -->`.
fn block_after(doc: &str, marker: &str) -> String {
    let start = doc
        .find(&format!("<!-- {marker} -->"))
        .unwrap_or_else(|| panic!("no {marker} in docs/scale-out.md"));
    let rest = &doc[start..];
    let open = rest.find("```").unwrap();
    let body = &rest[open..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].to_string()
}

/// Field name → OpenSearch type, from the mapping in the docs.
fn opensearch_fields() -> BTreeMap<String, String> {
    let mapping: Value =
        serde_json::from_str(&block_after(&doc(), "opensearch-mapping")).expect("mapping JSON");
    assert_eq!(mapping["mappings"]["dynamic"], "strict");
    // Analyzers used identically at index and query time.
    let props = mapping["mappings"]["properties"].as_object().unwrap();
    for (name, p) in props {
        if p["type"] == "text" {
            assert_eq!(p["analyzer"], p["search_analyzer"], "{name}");
            let exact = &p["fields"]["exact"];
            assert_eq!(exact["analyzer"], "fazhi_exact", "{name}");
            assert_eq!(exact["analyzer"], exact["search_analyzer"], "{name}");
        }
    }
    props
        .iter()
        .map(|(k, v)| (k.clone(), v["type"].as_str().unwrap().to_string()))
        .collect()
}

/// Field name → Quickwit type, from the index config in the docs.
fn quickwit_fields() -> BTreeMap<String, String> {
    let yaml = block_after(&doc(), "quickwit-index-config");
    assert!(yaml.contains("mode: strict"));
    let mut out = BTreeMap::new();
    let mut name: Option<String> = None;
    for line in yaml.lines() {
        let t = line.trim();
        if let Some(n) = t.strip_prefix("- name: ") {
            name = Some(n.trim().to_string());
        } else if let Some(ty) = t.strip_prefix("type: ") {
            out.insert(name.take().expect("type after name"), ty.trim().to_string());
        }
    }
    out
}

fn export_bulk(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let out = Command::cargo_bin("fazhi")
        .unwrap()
        .current_dir(root())
        .env_remove("FAZHI_TAXONOMY")
        .args(["--corpus", "corpus", "--index"])
        .arg(&index)
        .arg("index")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dest = dir.path().join("sections.ndjson");
    let out = Command::cargo_bin("fazhi")
        .unwrap()
        .current_dir(root())
        .env_remove("FAZHI_TAXONOMY")
        .args(["--corpus", "corpus", "--index"])
        .arg(&index)
        .arg("export")
        .args(args)
        .arg("-o")
        .arg(&dest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, dest)
}

fn check_type(field: &str, ty: &str, v: &Value) {
    let ok = match (ty, v) {
        (_, Value::Null) => true,
        ("keyword" | "text" | "array<text>", Value::String(_)) => true,
        ("keyword" | "array<text>", Value::Array(items)) => items.iter().all(Value::is_string),
        ("integer" | "u64", Value::Number(n)) => n.is_u64(),
        ("date", Value::String(s)) => {
            s.len() == 10
                && s.char_indices().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        c == '-'
                    } else {
                        c.is_ascii_digit()
                    }
                })
        }
        _ => false,
    };
    assert!(ok, "{field}: {v} is not a {ty}");
}

#[test]
fn the_three_field_lists_agree() {
    let code: BTreeSet<String> = BULK_FIELDS.iter().map(|s| s.to_string()).collect();
    let os: BTreeSet<String> = opensearch_fields().into_keys().collect();
    let qw: BTreeSet<String> = quickwit_fields().into_keys().collect();
    assert_eq!(os, code, "OpenSearch mapping vs BULK_FIELDS");
    assert_eq!(qw, code, "Quickwit config vs BULK_FIELDS");
}

#[test]
fn bulk_lines_match_the_mappings() {
    let (_dir, dest) = export_bulk(&["--all"]);
    let text = std::fs::read_to_string(&dest).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    assert!(
        lines.len() >= 2 && lines.len().is_multiple_of(2),
        "{} lines",
        lines.len()
    );
    let os = opensearch_fields();
    let qw = quickwit_fields();
    let mut ids = BTreeSet::new();
    for pair in lines.chunks(2) {
        let (action, doc) = (&pair[0], &pair[1]);
        let target = &action["create"];
        assert_eq!(action.as_object().unwrap().len(), 1, "{action}");
        assert_eq!(target["_index"], "fazhi");
        let id = target["_id"].as_str().expect("_id");
        assert_eq!(doc["section_id"], id);
        assert!(ids.insert(id.to_string()), "duplicate _id {id}");

        let fields = doc.as_object().unwrap();
        let keys: BTreeSet<&String> = fields.keys().collect();
        assert_eq!(keys, os.keys().collect::<BTreeSet<_>>(), "fields of {id}");
        for (k, v) in fields {
            check_type(k, &os[k], v);
            check_type(k, &qw[k], v);
        }
        assert!(doc["body"].is_string() && doc["path"].is_string());
    }
    // One document per indexed section: compare with a JSONL export of all.
    let (_dir2, all) = export_bulk(&["--all", "--format", "jsonl"]);
    let n = std::fs::read_to_string(all).unwrap().lines().count();
    assert_eq!(ids.len(), n);
}

#[test]
fn bulk_of_a_query_with_index_action() {
    let (_dir, dest) = export_bulk(&[
        "\"府院联动\"",
        "--format",
        "ndjson-bulk",
        "--bulk-action",
        "index",
        "--bulk-index",
        "reports-2024",
    ]);
    let text = std::fs::read_to_string(&dest).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    for pair in lines.chunks(2) {
        assert_eq!(pair[0]["index"]["_index"], "reports-2024");
        assert_eq!(pair[1]["bureau"], "长春市教育局");
        let body = format!("{}{}", pair[1]["heading"], pair[1]["body"]);
        assert!(body.contains("府院联动"), "{body}");
    }
}
