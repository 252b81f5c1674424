//! The engine boundary: a panic or an error that only a damaged index
//! explains becomes one typed error, [`IndexError::Damaged`], telling the
//! user to rebuild — never a backtrace (exit 101) or tantivy's raw text.
//!
//! Why panics happen at all: tantivy trusts its own files, so a flipped
//! byte in a `.term`, `.fast` or `.store` file can fail an assertion or an
//! index deep inside it. Every command and the server run their index work
//! through [`guarded`]. While a guarded call runs, the panic hook records
//! the message instead of printing it; other panics (a bug outside the
//! engine) print as usual. With `RUST_BACKTRACE` set, guarded panics print
//! too, for debugging.

use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

use super::{Error, lift};
use crate::index::{IndexError, damage_cause};

/// Guarded calls running now (in any thread).
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
/// The first panic caught while a guarded call ran.
static CAUGHT: Mutex<Option<String>> = Mutex::new(None);
static HOOK: Once = Once::new();

/// Run `f`, which works on the index at `dir`; its panics and its errors
/// that only damage explains come back as [`Error::Index`]`(`[`IndexError::Damaged`]`)`,
/// errors about the folder (locked, version) as [`Error::Index`] too.
pub fn guarded<T>(dir: &Path, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    install_hook();
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
    let panicked = |caught: String| -> anyhow::Error {
        Error::Index(IndexError::damaged(
            dir,
            format!("internal panic: {caught}"),
        ))
        .into()
    };
    match result {
        Ok(Ok(value)) => {
            // A panic some part caught and recovered from (a file skipped
            // while indexing) is not the answer's concern.
            take_caught();
            Ok(value)
        }
        // A worker thread's panic that its owner turned into an error
        // (`export thread panicked`): the panic is the cause to show.
        Ok(Err(err)) => match take_caught() {
            Some(caught) if !is_typed(&err) => Err(panicked(caught)),
            _ => Err(classify(dir, err)),
        },
        Err(payload) => Err(panicked(
            take_caught().unwrap_or_else(|| payload_text(payload.as_ref())),
        )),
    }
}

/// Whether `err` is one the engine or the index already typed.
fn is_typed(err: &anyhow::Error) -> bool {
    err.downcast_ref::<Error>().is_some() || err.downcast_ref::<IndexError>().is_some()
}

/// An error of a guarded call, typed when it is about the index.
fn classify(dir: &Path, err: anyhow::Error) -> anyhow::Error {
    let err = lift(err);
    if err.downcast_ref::<Error>().is_some() {
        return err;
    }
    match damage_cause(&err) {
        Some(cause) => Error::Index(IndexError::damaged(dir, cause)).into(),
        None => err,
    }
}

fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let debugging = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
            if ACTIVE.load(Ordering::SeqCst) == 0 || debugging {
                previous(info);
            }
            if ACTIVE.load(Ordering::SeqCst) > 0 {
                let mut caught = CAUGHT.lock().unwrap_or_else(|e| e.into_inner());
                caught.get_or_insert_with(|| describe(info));
            }
        }));
    });
}

fn take_caught() -> Option<String> {
    CAUGHT.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// `message at crate/src/file.rs:line`, the registry prefix cut off.
fn describe(info: &PanicHookInfo<'_>) -> String {
    let message = payload_text(info.payload());
    match info.location() {
        Some(at) => {
            let file = at.file();
            let file = file
                .rfind("/registry/src/")
                .and_then(|i| file[i..].splitn(5, '/').nth(4))
                .unwrap_or(file);
            format!("{message} at {file}:{}", at.line())
        }
        None => message,
    }
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test, not three: the hook's state is process-wide and tests run
    /// in parallel.
    #[test]
    fn panics_become_damaged_index_errors_and_the_rest_passes_through() {
        let damaged = |err: &anyhow::Error| {
            matches!(
                err.downcast_ref::<Error>(),
                Some(Error::Index(IndexError::Damaged { .. }))
            )
        };
        let err = guarded::<()>(Path::new("idx"), || panic!("index out of bounds")).unwrap_err();
        let msg = err.to_string();
        assert!(damaged(&err), "{msg}");
        assert!(
            msg.starts_with("the index at idx is damaged (internal panic: index out of bounds at "),
            "{msg}"
        );
        assert!(msg.ends_with("; run `fazhi index --rebuild`"), "{msg}");

        // A worker's panic that its owner turned into an error.
        let err = guarded::<()>(Path::new("idx"), || {
            let worker = std::thread::spawn(|| panic!("bad column"));
            worker
                .join()
                .map_err(|_| anyhow::anyhow!("export thread panicked"))
        })
        .unwrap_err();
        let msg = err.to_string();
        assert!(damaged(&err), "{msg}");
        assert!(msg.contains("(internal panic: bad column at "), "{msg}");

        let err = guarded::<()>(Path::new("idx"), || anyhow::bail!("bad year range")).unwrap_err();
        assert_eq!(err.to_string(), "bad year range");
        assert_eq!(guarded(Path::new("idx"), || Ok(7)).unwrap(), 7);
    }
}
