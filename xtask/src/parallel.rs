//! Ordered parallel maps on scoped threads.
//!
//! Hand-written rather than rayon: the converter needs two small things, an
//! ordered map over a few thousand items, and the same map whose results a
//! sequential step on the calling thread takes in order as they come (rayon
//! has no ordered streaming consumer), and the xtask keeps its
//! dependencies to what it uses.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// How many threads the parallel steps use.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
}

/// `items` in chunks of `chunk`, each behind a lock so that whichever thread
/// claims it can take it.
fn chunks<T>(items: Vec<T>, chunk: usize) -> Vec<Mutex<Vec<T>>> {
    let mut slots = Vec::with_capacity(items.len().div_ceil(chunk.max(1)));
    let mut items = items.into_iter();
    loop {
        let c: Vec<T> = items.by_ref().take(chunk.max(1)).collect();
        if c.is_empty() {
            return slots;
        }
        slots.push(Mutex::new(c));
    }
}

/// A lock whose holder may have panicked: the data is still what it was.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `items.map(f)`, in order, on `threads` threads taking chunks of `chunk`
/// items in turn.
pub(crate) fn par_map<T: Send, R: Send>(
    items: Vec<T>,
    chunk: usize,
    threads: usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let total = items.len();
    let slots = chunks(items, chunk);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = slots.get(i) else { break };
            let c = std::mem::take(&mut *lock(slot));
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

/// Runs `f` on every item on `threads` threads (chunks of `chunk` items) and
/// hands the results to `consume`, in item order, on the calling thread, as
/// soon as each is ready. While the next result in order is not ready, the
/// calling thread works on items itself, so a sequential step that needs
/// the results in order overlaps the parallel one instead of following it.
pub(crate) fn par_map_consume<T: Send, R: Send>(
    items: Vec<T>,
    chunk: usize,
    threads: usize,
    f: impl Fn(T) -> R + Sync,
    mut consume: impl FnMut(R),
) {
    let slots = chunks(items, chunk);
    let results: Vec<Mutex<Option<Vec<R>>>> = slots.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    // Helpers still running; the calling thread waits on `ready` for the
    // next result, or for every helper to be gone (one may have panicked).
    let running = Mutex::new(threads.saturating_sub(1));
    let ready = Condvar::new();
    // Takes the next chunk and stores its results; false when none is left.
    let step = || {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(slot) = slots.get(i) else {
            return false;
        };
        let c = std::mem::take(&mut *lock(slot));
        let r: Vec<R> = c.into_iter().map(&f).collect();
        *lock(&results[i]) = Some(r);
        let _running = lock(&running);
        ready.notify_all();
        true
    };
    std::thread::scope(|s| {
        for _ in 0..threads.saturating_sub(1) {
            s.spawn(|| {
                // Counted out even when `f` panics, so the caller stops waiting.
                struct Leave<'a>(&'a Mutex<usize>, &'a Condvar);
                impl Drop for Leave<'_> {
                    fn drop(&mut self) {
                        *lock(self.0) -= 1;
                        self.1.notify_all();
                    }
                }
                let _leave = Leave(&running, &ready);
                while step() {}
            });
        }
        let mut want = 0;
        while want < slots.len() {
            if let Some(r) = lock(&results[want]).take() {
                r.into_iter().for_each(&mut consume);
                want += 1;
                continue;
            }
            if step() {
                continue;
            }
            let mut helpers = lock(&running);
            while lock(&results[want]).is_none() && *helpers > 0 {
                helpers = ready.wait(helpers).unwrap_or_else(|e| e.into_inner());
            }
            if lock(&results[want]).is_none() {
                // Every helper is gone and this chunk never came: one
                // panicked; leaving the scope re-raises its panic.
                break;
            }
        }
    });
}

/// Runs `produce` on the calling thread; every item it pushes is handed to
/// `f` on another thread at once, so that producing and processing overlap.
/// When `produce` returns, the calling thread processes what is left. The
/// results come back in the order the items were pushed, with what
/// `produce` returned.
pub(crate) fn par_stream<T: Send, R: Send, P>(
    threads: usize,
    produce: impl FnOnce(&mut dyn FnMut(T)) -> P,
    f: impl Fn(T) -> R + Sync,
) -> (P, Vec<R>) {
    // Pushed items not yet taken, and whether `produce` is done.
    let queue: Mutex<(VecDeque<(usize, T)>, bool)> = Mutex::new((VecDeque::new(), false));
    let pushed = Condvar::new();
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::new());
    // Takes the next item, waiting for one while `produce` runs and `wait`
    // is set; `None` once there is none left.
    let take = |wait: bool| {
        let mut q = lock(&queue);
        loop {
            if let Some(item) = q.0.pop_front() {
                return Some(item);
            }
            if q.1 || !wait {
                return None;
            }
            q = pushed.wait(q).unwrap_or_else(|e| e.into_inner());
        }
    };
    let run = |(i, t): (usize, T)| {
        let r = f(t);
        lock(&results).push((i, r));
    };
    let produced = std::thread::scope(|s| {
        for _ in 0..threads.saturating_sub(1) {
            s.spawn(|| {
                while let Some(item) = take(true) {
                    run(item);
                }
            });
        }
        // Marks the queue done even if `produce` panics, so helpers stop.
        struct Close<'a, T>(&'a Mutex<(VecDeque<(usize, T)>, bool)>, &'a Condvar);
        impl<T> Drop for Close<'_, T> {
            fn drop(&mut self) {
                lock(self.0).1 = true;
                self.1.notify_all();
            }
        }
        let close = Close(&queue, &pushed);
        let mut count = 0;
        let produced = produce(&mut |t| {
            lock(&queue).0.push_back((count, t));
            count += 1;
            pushed.notify_one();
        });
        drop(close);
        while let Some(item) = take(false) {
            run(item);
        }
        produced
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_unstable_by_key(|(i, _)| *i);
    (produced, results.into_iter().map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_arrive_in_order() {
        for threads in 1..=4 {
            for chunk in [1, 3, 16] {
                let items: Vec<u64> = (0..200).collect();
                let mut seen = Vec::new();
                // Uneven work, so that chunks finish out of order.
                let f = |x: u64| {
                    let spin = (x * 7919) % 5000;
                    (0..spin).fold(x, |a, b| a.wrapping_mul(31).wrapping_add(b))
                };
                par_map_consume(
                    items.clone(),
                    chunk,
                    threads,
                    |x| (x, f(x)),
                    |r| seen.push(r),
                );
                let expected: Vec<(u64, u64)> = items.iter().map(|&x| (x, f(x))).collect();
                assert_eq!(seen, expected, "threads {threads}, chunk {chunk}");
                assert_eq!(
                    par_map(items.clone(), chunk, threads, f),
                    items.iter().map(|&x| f(x)).collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn streamed_results_come_back_in_push_order() {
        for threads in 1..=4 {
            let (produced, out) = par_stream(
                threads,
                |push| {
                    for x in 0..300u64 {
                        push(x);
                    }
                    "done"
                },
                |x| (0..(x * 7919) % 3000).fold(x, |a, b| a.wrapping_mul(31).wrapping_add(b)),
            );
            assert_eq!(produced, "done");
            let expected: Vec<u64> = (0..300u64)
                .map(|x| (0..(x * 7919) % 3000).fold(x, |a, b| a.wrapping_mul(31).wrapping_add(b)))
                .collect();
            assert_eq!(out, expected, "threads {threads}");
        }
    }

    #[test]
    fn a_panic_in_a_worker_is_raised_not_waited_for() {
        for threads in 1..=3 {
            let outcome = std::panic::catch_unwind(|| {
                par_map_consume(
                    (0..100).collect::<Vec<u32>>(),
                    4,
                    threads,
                    |x| {
                        assert_ne!(x, 41, "item 41");
                        x
                    },
                    |_| {},
                )
            });
            assert!(outcome.is_err(), "threads {threads}");
        }
    }
}
