//! Work spread over a few threads, results in input order, thread failures as errors.
//!
//! Drawing a class and rendering its sheets split a list into one chunk per thread and
//! join the results in list order, so the output does not depend on the number of
//! threads. A thread the system cannot start (a thread limit, no memory for its stack)
//! is an [`Error::ThreadSpawn`] that says to lower `--jobs`, never a panic; a thread that
//! panicked is reported as an internal error.

use std::thread;

use crate::error::{Error, Result};

/// Maps `f` over `items` on up to `threads` threads (one contiguous chunk each); the
/// results are in the order of `items`, and the first error in that order is returned.
/// `task` names the work for the internal-error message.
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
    map_with_builder(items, threads, task, thread::Builder::new, f)
}

/// [`map_in_order`] with the threads made by `builder` (tests make spawning fail).
fn map_with_builder<T, R, F>(
    items: &[T],
    threads: usize,
    task: &'static str,
    builder: impl Fn() -> thread::Builder,
    f: F,
) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> Result<R> + Sync,
{
    if threads <= 1 || items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let f = &f;
    thread::scope(|scope| {
        let mut handles = Vec::with_capacity(threads);
        let mut spawn_error = None;
        for part in items.chunks(per_thread) {
            let work = move || part.iter().map(f).collect::<Result<Vec<R>>>();
            match builder().spawn_scoped(scope, work) {
                Ok(handle) => handles.push(handle),
                Err(source) => {
                    spawn_error = Some(spawn_failed(source));
                    break;
                }
            }
        }
        // Every started thread is joined before returning, whatever happened.
        let mut out = Vec::with_capacity(items.len());
        let mut first_error = spawn_error;
        for handle in handles {
            match handle.join() {
                Ok(Ok(part)) => out.extend(part),
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error.get_or_insert(Error::ThreadPanicked { task });
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    })
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
    fn a_thread_that_cannot_be_started_is_an_error_naming_jobs() {
        // No system gives a thread a 1 PiB stack (it exceeds the address space).
        let items: Vec<u64> = (0..100).collect();
        let huge_stack = || thread::Builder::new().stack_size(1 << 50);
        let err = map_with_builder(&items, 4, "squaring", huge_stack, square).unwrap_err();
        assert!(matches!(err, Error::ThreadSpawn { .. }), "{err:?}");
        assert!(err.to_string().contains("--jobs"), "{err}");
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
