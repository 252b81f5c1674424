//! `fazhi serve`: a local web page and JSON API over the index.
//!
//! One [`Engine`] answers every request, as it answers the CLI's commands,
//! so a search on the page and `fazhi search` give the same hits in the
//! same order; the handlers only turn query parameters into the engine's
//! typed requests and its results into the CLI's JSON records.
//!
//! Why this shape:
//! - **Async front, blocking back.** axum on tokio accepts connections;
//!   every engine call (tantivy is blocking, and some calls use several
//!   cores) runs in `spawn_blocking`, at most a few at a time
//!   (`State::permits`), so a burst of requests queues instead of
//!   oversubscribing the machine.
//! - **Read-only, reloaded.** The server never writes the index. A
//!   watcher ([`state`]) notices a new commit of `fazhi index` (its
//!   `meta.json` changes) and opens a fresh engine beside the old one;
//!   requests under way finish on the old one.
//! - **No client-named paths.** No parameter names a file; the page's
//!   assets are compiled in ([`assets`]) and looked up by exact name, so
//!   `..` (plain or percent-encoded) can only miss. Exports are written to a
//!   private temporary folder.
//! - **Nothing panics a worker.** A panic in a handler becomes a 500 with
//!   a JSON error (tower-http's `CatchPanicLayer`; a panic inside
//!   `spawn_blocking` comes back as a join error, mapped the same way).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;

use crate::engine::Engine;

mod api;
pub mod assets;
mod error;
mod export;
mod params;
mod state;

pub use error::ApiError;
pub use params::{MAX_OFFSET, MAX_PAGE, MAX_QUERY_CHARS};
use state::State;

/// Where to listen and what to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    pub index: PathBuf,
    pub corpus: PathBuf,
    pub taxonomy: Option<PathBuf>,
    pub metadata: Option<PathBuf>,
}

impl ServeOptions {
    /// Open the engine as the CLI does (building the index first when
    /// there is none but a corpus).
    fn open_engine(&self) -> anyhow::Result<Engine> {
        Engine::open(
            &self.index,
            &self.corpus,
            self.taxonomy.as_deref(),
            self.metadata.as_deref(),
        )
    }
}

/// The routes of the API and the page.
fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/api/search", get(api::search))
        .route("/api/facets", get(api::facets))
        .route("/api/topic", get(api::topic))
        .route("/api/bureaus", get(api::bureaus))
        .route("/api/matrix", get(api::matrix))
        .route("/api/stats", get(api::stats))
        .route("/api/report/{doc_id}", get(api::report))
        .route("/api/export", get(export::export))
        .route("/api/{*rest}", get(api::not_found))
        .fallback(assets::serve)
        .with_state(state)
        .layer(CatchPanicLayer::custom(error::panic_response))
}

/// Serve until Ctrl-C or SIGTERM. Prints `fazhi: serving http://ADDR` on
/// stdout once listening (the real port when `--addr` asks for port 0).
pub fn run(opts: ServeOptions) -> anyhow::Result<()> {
    let engine = opts.open_engine()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", opts.addr))?;
        let local = listener.local_addr()?;
        let state = State::new(engine, opts);
        tokio::spawn(state::watch(state.clone()));
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(out, "fazhi: serving http://{local}")?;
            out.flush()?;
        }
        axum::serve(listener, router(state))
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        eprintln!("fazhi: stopped");
        anyhow::Ok(())
    })
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
