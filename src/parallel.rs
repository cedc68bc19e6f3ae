//! Work spread over a few threads, results in input order, thread failures as errors.
//!
//! Drawing a class and rendering its sheets map a chunk of students at a time over a
//! pool of threads (rayon) and keep the results in list order, so the output does not
//! depend on the number of threads. The pools are made once per process and size, so
//! their threads, and what each keeps (the caches of [`crate::recent`]), last from one
//! chunk to the next. A thread the system cannot start (a thread limit, no memory for
//! its stack) is an [`Error::ThreadSpawn`] that says to lower `--jobs`, never a panic; a
//! task that panicked is reported as an internal error.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::error::{Error, Result};

/// Maps `f` over `items` on up to `threads` threads; the results are in the order of
/// `items`, and the first error in that order is returned. `task` names the work for the
/// internal-error message.
pub fn map_in_order<T, R, F>(
    items: &[T],
    threads: usize,
    task: &'static str,
    f: F,
) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> Result<R> + Sync,
{
    let refs: Vec<&T> = items.iter().collect();
    map_owned_in_order(refs, threads, task, f)
}

/// [`map_in_order`] over owned items: each is moved to the thread that maps it and
/// dropped there (a seated student's views are freed by the thread that rendered them,
/// not by the one waiting for the chunk).
pub fn map_owned_in_order<T, R, F>(
    items: Vec<T>,
    threads: usize,
    task: &'static str,
    f: F,
) -> Result<Vec<R>>
where
    T: Send,
    R: Send,
    F: Fn(T) -> Result<R> + Sync,
{
    if threads <= 1 || items.len() < 2 {
        return items.into_iter().map(&f).collect();
    }
    let pool = kept_pool(threads.min(items.len()))?;
    let results: Vec<std::thread::Result<Result<R>>> = pool.install(|| {
        items
            .into_par_iter()
            .map(|item| catch_unwind(AssertUnwindSafe(|| f(item))))
            .collect()
    });
    in_order(results, task)
}

/// The pool of `threads` threads, made the first time it is asked for.
fn kept_pool(threads: usize) -> Result<Arc<ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(pool) = pools.get(&threads) {
        return Ok(Arc::clone(pool));
    }
    let pool = Arc::new(build(ThreadPoolBuilder::new().num_threads(threads))?);
    pools.insert(threads, Arc::clone(&pool));
    Ok(pool)
}

fn build(builder: ThreadPoolBuilder) -> Result<ThreadPool> {
    builder
        .thread_name(|i| format!("examgen-{i}"))
        .build()
        .map_err(|e| spawn_failed(std::io::Error::other(e)))
}

/// The values of the threads' results, or the first error (a panic named by `task`).
fn in_order<R>(results: Vec<std::thread::Result<Result<R>>>, task: &'static str) -> Result<Vec<R>> {
    let mut out = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(Ok(value)) => out.push(value),
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(Error::ThreadPanicked { task }),
        }
    }
    Ok(out)
}

/// The error for a thread the system would not start.
pub fn spawn_failed(source: std::io::Error) -> Error {
    Error::ThreadSpawn { source }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: &u64) -> Result<u64> {
        Ok(x * x)
    }

    #[test]
    fn results_are_in_input_order_for_any_number_of_threads() {
        let items: Vec<u64> = (0..1000).collect();
        let want: Vec<u64> = items.iter().map(|x| x * x).collect();
        for threads in [1, 2, 3, 7, 64, 5000] {
            assert_eq!(
                map_in_order(&items, threads, "squaring", square).unwrap(),
                want
            );
        }
    }

    #[test]
    fn owned_items_are_mapped_in_input_order_and_panics_are_errors() {
        let want: Vec<u64> = (0..1000).map(|x| x * x).collect();
        for threads in [1, 2, 3, 64] {
            let items: Vec<u64> = (0..1000).collect();
            let got = map_owned_in_order(items, threads, "squaring", |x| Ok(x * x)).unwrap();
            assert_eq!(got, want);
        }
        let items: Vec<u64> = (0..100).collect();
        let err = map_owned_in_order(items, 2, "squaring", |x| {
            assert!(x != 57, "boom");
            Ok(x)
        })
        .unwrap_err();
        assert!(
            matches!(err, Error::ThreadPanicked { task: "squaring" }),
            "{err:?}"
        );
    }

    #[test]
    fn a_thread_that_cannot_be_started_is_an_error_naming_jobs() {
        // No system gives a thread a 1 PiB stack (it exceeds the address space).
        let huge_stack = ThreadPoolBuilder::new().num_threads(4).stack_size(1 << 50);
        let err = build(huge_stack).map(|_| ()).unwrap_err();
        assert!(matches!(err, Error::ThreadSpawn { .. }), "{err:?}");
        assert!(err.to_string().contains("--jobs"), "{err}");
    }

    #[test]
    fn the_pools_threads_last_from_one_map_to_the_next() {
        let items: Vec<u64> = (0..64).collect();
        let names = || {
            let mut names = map_in_order(&items, 3, "naming", |_| {
                Ok(std::thread::current().name().unwrap_or("").to_string())
            })
            .unwrap();
            names.sort();
            names.dedup();
            names
        };
        let first = names();
        assert!(first.iter().all(|n| n.starts_with("examgen-")), "{first:?}");
        let ids = || {
            let mut ids = map_in_order(&items, 3, "naming", |_| {
                Ok(format!("{:?}", std::thread::current().id()))
            })
            .unwrap();
            ids.sort();
            ids.dedup();
            ids
        };
        let (a, b) = (ids(), ids());
        assert!(a.len() <= 3 && b.len() <= 3, "{a:?} {b:?}");
        let mut all = a.clone();
        all.extend(b.clone());
        all.sort();
        all.dedup();
        assert!(
            all.len() <= 3,
            "new threads for the second map: {a:?} {b:?}"
        );
    }

    #[test]
    fn a_panicking_thread_is_an_internal_error_not_a_panic() {
        let items: Vec<u64> = (0..100).collect();
        let err = map_in_order(&items, 4, "squaring", |&x| {
            assert!(x != 77, "boom");
            Ok(x)
        })
        .unwrap_err();
        assert!(
            matches!(err, Error::ThreadPanicked { task: "squaring" }),
            "{err:?}"
        );
        assert!(err.to_string().contains("internal error"), "{err}");
    }

    #[test]
    fn the_first_error_in_input_order_is_returned() {
        let items: Vec<u64> = (0..100).collect();
        let err = map_in_order(&items, 4, "squaring", |&x| {
            if x == 80 || x == 30 {
                Err(Error::Usage(format!("bad {x}")))
            } else {
                Ok(x)
            }
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "bad 30");
    }
}
