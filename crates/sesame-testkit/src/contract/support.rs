//! What the checks share: failing loudly, and running tasks at once.

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::Barrier;

/// The value of `result`, or a failed check naming `what` went wrong.
#[track_caller]
pub(crate) fn ok<T, E: Debug>(result: Result<T, E>, what: &str) -> T {
    match result {
        Ok(v) => v,
        Err(e) => fail(&format!("{what}: {e:?}")),
    }
}

/// The value in `option`, or a failed check saying `what` was missing.
#[track_caller]
pub(crate) fn some<T>(option: Option<T>, what: &str) -> T {
    match option {
        Some(v) => v,
        None => fail(&format!("{what}: got nothing")),
    }
}

/// Fails the running check. Contract checks are test code that other
/// crates' tests call, so failing means panicking, as `assert!` does.
#[track_caller]
#[expect(
    clippy::panic,
    reason = "a contract check reports a broken rule by panicking, like assert!"
)]
pub(crate) fn fail(message: &str) -> ! {
    panic!("contract violated: {message}")
}

/// Runs `n` tasks made by `task`, released together through a barrier so
/// they really race, and returns their outputs in task order.
///
/// Needs a Tokio runtime; a multi-threaded one makes the race real.
pub(crate) async fn race<T, F, Fut>(n: usize, task: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            let fut = task(i);
            tokio::spawn(async move {
                barrier.wait().await;
                fut.await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for handle in handles {
        out.push(ok(handle.await, "a racing task failed"));
    }
    out
}
