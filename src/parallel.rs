//! A map over a slice on all cores, results in input order.
//!
//! Why here, at the bottom: the index build (parsing files) and the
//! text-reuse update (fingerprinting them) both spread uneven work (files
//! differ a lot in size) over the cores the same way, by work stealing on
//! an index counter, without a thread-pool dependency.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `work` over `items` on all available cores, each result at its item's
/// place; `None` where a worker died (a panic inside `work`), so the caller
/// names the item in its own error.
pub fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
) -> Vec<Option<R>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if items.len() < 2 || threads == 1 {
        return items.iter().map(|item| Some(work(item))).collect();
    }
    let next = AtomicUsize::new(0);
    let mut out: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, work(item)));
                    }
                    done
                })
            })
            .collect();
        for worker in workers {
            for (i, result) in worker.join().unwrap_or_default() {
                out[i] = Some(result);
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order() {
        let items: Vec<u64> = (0..1000).collect();
        let squares = map_in_order(&items, |n| n * n);
        assert_eq!(squares.len(), items.len());
        for (n, sq) in items.iter().zip(squares) {
            assert_eq!(sq, Some(n * n));
        }
        assert!(map_in_order(&[] as &[u8], |_| 0).is_empty());
    }
}
