//! The page's files, compiled into the binary (`include_str!`): plain
//! HTML, CSS and JavaScript, no build step, nothing fetched from the
//! network. A request path is looked up by exact name in [`ASSETS`], so
//! nothing outside that table can be served; a path with `..` in it (also
//! percent-encoded, `%2e%2e`) is refused outright.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// `(path, media type, content)` of every file the server has.
pub const ASSETS: &[(&str, &str, &str)] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("assets/index.html"),
    ),
    (
        "/index.html",
        "text/html; charset=utf-8",
        include_str!("assets/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    ),
    (
        "/style.css",
        "text/css; charset=utf-8",
        include_str!("assets/style.css"),
    ),
    (
        "/favicon.svg",
        "image/svg+xml",
        include_str!("assets/favicon.svg"),
    ),
];

/// The value of a hex digit.
fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Percent-decode `s` (bytes that do not decode are kept as they are).
fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Whether a request path tries to climb out: `..` as a segment or a
/// backslash, after percent-decoding (twice, for `%252e`).
pub fn is_traversal(path: &str) -> bool {
    let once = percent_decode(path);
    let twice = percent_decode(&String::from_utf8_lossy(&once));
    [path.as_bytes(), &once, &twice]
        .iter()
        .any(|p| p.windows(2).any(|w| w == b"..") || p.contains(&b'\\'))
}

/// The asset at `path`, if there is one.
pub fn find(path: &str) -> Option<(&'static str, &'static str)> {
    ASSETS
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|&(_, mime, body)| (mime, body))
}

/// Serve a file of the page (the router's fallback).
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path();
    if is_traversal(path) {
        return (StatusCode::BAD_REQUEST, "bad path\n").into_response();
    }
    match find(path) {
        Some((mime, body)) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "no-cache"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'",
                ),
            ],
            body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_forms_are_caught() {
        for bad in [
            "/../Cargo.toml",
            "/assets/../../etc/passwd",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E%2fCargo.toml",
            "/.%2e/x",
            "/%252e%252e/x",
            "/..%5c..%5cx",
            "/a\\b",
        ] {
            assert!(is_traversal(bad), "{bad}");
        }
        for good in ["/", "/app.js", "/style.css", "/a.b/c", "/%e6%b3%95"] {
            assert!(!is_traversal(good), "{good}");
        }
    }

    #[test]
    fn only_listed_files_are_found() {
        assert!(find("/app.js").is_some());
        assert!(find("/src/serve/assets/app.js").is_none());
        assert!(find("/Cargo.toml").is_none());
    }
}
