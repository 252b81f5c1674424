//! The server's shared state: the current engine, swapped for a fresh one
//! when `fazhi index` commits, and the permits that bound how many engine
//! calls run at once.
//!
//! Reloading: the index's `meta.json` is rewritten (atomically) by every
//! commit, so the watcher hashes it once a second; when the hash changes,
//! a new [`Engine`] is opened off the async threads and replaces the old
//! one for new requests. Opening anew (rather than reloading the tantivy
//! reader) also re-reads the commit's record (topic names and taxonomy
//! fingerprint). A failed open (a commit under way, a damaged index) keeps
//! the old engine, is reported once and retried each second.

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{ApiError, ServeOptions};
use crate::engine::Engine;

/// How often the watcher looks at `meta.json`.
const WATCH_EVERY: Duration = Duration::from_secs(1);

pub struct State {
    engine: RwLock<Arc<Engine>>,
    pub opts: ServeOptions,
    /// Engine calls running at once (the rest wait for a permit).
    permits: Arc<Semaphore>,
    /// Hash of `meta.json` the current engine was opened on.
    stamp: RwLock<Option<u64>>,
    /// The stamp whose open last failed (said once, retried each tick).
    failed: RwLock<Option<u64>>,
}

/// A hash of the index's commit file, `None` when there is none.
fn commit_stamp(index_dir: &Path) -> Option<u64> {
    std::fs::read(index_dir.join("meta.json"))
        .ok()
        .map(|bytes| xxhash_rust::xxh3::xxh3_64(&bytes))
}

impl State {
    pub fn new(engine: Engine, opts: ServeOptions) -> Arc<State> {
        let stamp = commit_stamp(&opts.index);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Arc::new(State {
            engine: RwLock::new(Arc::new(engine)),
            opts,
            permits: Arc::new(Semaphore::new(cores * 2)),
            stamp: RwLock::new(stamp),
            failed: RwLock::new(None),
        })
    }

    /// The engine for a new request.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A permit to run an engine call (held until dropped).
    pub async fn permit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("server shutting down"))
    }

    /// Run `work` on the engine off the async threads, once a permit is
    /// free; a panic in `work` is a 500, not a dead worker.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Arc<Engine>) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self.permit().await?;
        let engine = self.engine();
        match tokio::task::spawn_blocking(move || work(&engine)).await {
            Ok(result) => result,
            Err(join) => {
                let what = if join.is_panic() {
                    let panic = join.into_panic();
                    panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "panic".into())
                } else {
                    "cancelled".into()
                };
                eprintln!("fazhi: serve: a request panicked: {what}");
                Err(ApiError::internal(format!("internal error: {what}")))
            }
        }
    }

    /// Open a fresh engine when the index has a new commit.
    async fn reload_if_changed(self: &Arc<State>) {
        let dir = self.opts.index.clone();
        let now = tokio::task::spawn_blocking(move || commit_stamp(&dir))
            .await
            .ok()
            .flatten();
        let current = *self.stamp.read().unwrap_or_else(|e| e.into_inner());
        if now.is_none() || now == current {
            return;
        }
        let opts = self.opts.clone();
        match tokio::task::spawn_blocking(move || opts.open_engine()).await {
            Ok(Ok(engine)) => {
                *self.engine.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(engine);
                *self.stamp.write().unwrap_or_else(|e| e.into_inner()) = now;
                eprintln!("fazhi: serve: reloaded the index (new commit)");
            }
            Ok(Err(e)) => {
                let mut failed = self.failed.write().unwrap_or_else(|e| e.into_inner());
                if *failed != now {
                    eprintln!("fazhi: serve: keeping the index as it was: {e:#}");
                    *failed = now;
                }
            }
            Err(_) => {}
        }
    }
}

/// Watch the index for new commits, for as long as the server runs.
pub async fn watch(state: Arc<State>) {
    let mut tick = tokio::time::interval(WATCH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        state.reload_if_changed().await;
    }
}
