//! Ordered parallel map on scoped threads.
//!
//! Hand-written rather than rayon: the converter needs one thing, an ordered
//! map over a few thousand items that also runs a closure on the calling
//! thread while the helpers start (to free memory that thread allocated),
//! and it keeps the xtask's dependencies to what it uses.

/// How many threads the parallel steps use.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
}

/// `items.map(f)`, in order, on `threads` threads taking chunks of `chunk`
/// items in turn. `first` runs on the calling thread while the helpers
/// start on the items (it frees values allocated by the calling thread:
/// glibc's malloc makes frees from another thread contend for the lock of
/// the allocating thread's arena).
pub(crate) fn par_map<T: Send, R: Send>(
    items: Vec<T>,
    chunk: usize,
    threads: usize,
    first: impl FnOnce(),
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let total = items.len();
    let mut slots: Vec<Mutex<Vec<T>>> = Vec::with_capacity(total.div_ceil(chunk.max(1)));
    let mut items = items.into_iter();
    loop {
        let c: Vec<T> = items.by_ref().take(chunk.max(1)).collect();
        if c.is_empty() {
            break;
        }
        slots.push(Mutex::new(c));
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = slots.get(i) else { break };
            let c = std::mem::take(&mut *slot.lock().unwrap_or_else(|e| e.into_inner()));
            done.push((i, c.into_iter().map(&f).collect()));
        }
        done
    };
    let mut parts: Vec<(usize, Vec<R>)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (0..threads.saturating_sub(1))
            .map(|_| {
                let work = &work;
                s.spawn(work)
            })
            .collect();
        first();
        let mut mine = work();
        for h in helpers {
            match h.join() {
                Ok(r) => mine.extend(r),
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        mine
    });
    parts.sort_unstable_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(total);
    for (_, r) in parts {
        out.extend(r);
    }
    out
}
