//! Locking that survives a poisoned mutex.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `m`. Every critical section in this crate leaves its state
/// consistent before anything can panic, so a poisoned lock is still usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
