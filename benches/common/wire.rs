//! What the client bench (`benches/client.rs`) shares with the f64 baseline
//! binary (`benches/baseline`, built without serde_json's
//! `arbitrary_precision`): the hand-written f64 types, the resume body, the
//! process CPU clock and the one-line protocol between them.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Balances with `f64` money (ids and dates still typed).
pub mod float {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Deserialize)]
    pub struct Account {
        pub id: Uuid,
        pub category: String,
        pub currency: Option<String>,
        pub name: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Deserialize)]
    pub struct Balance {
        pub id: Uuid,
        pub account: Account,
        pub value_date: NaiveDate,
        pub collected_at: Option<DateTime<Utc>>,
        pub balance: f64,
        pub current_balance: Option<f64>,
        pub statement: Option<String>,
    }
}

/// The body of a hand-written resume (`PATCH /api/balances/`).
#[derive(Debug, Serialize)]
pub struct ResumeBody<'a> {
    pub session: &'a str,
    pub link: &'a str,
    pub token: Option<&'a str>,
    pub save_data: bool,
}

/// Credentials the hand-written baselines send (the local server ignores them).
pub const SECRET_ID: &str = "bench-secret-id";
/// See [`SECRET_ID`].
pub const SECRET_PASSWORD: &str = "bench-secret-password";
/// The link of the pending session of the resume benchmarks.
pub const LINK: &str = "683005d6-f45c-4adb-b289-f1a12f50f80c";

/// The path of the local server that answers every request with `n` balances.
pub fn balances_path(n: usize) -> String {
    format!("/b{n}")
}

/// CPU time of the whole process (all threads) since it started.
pub fn process_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant
    // every Linux kernel knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// One batch as measured by the side that ran it.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    pub cpu: Duration,
}

impl Sample {
    /// The line the baseline binary answers with.
    pub fn to_line(self) -> String {
        format!("{} {}\n", self.wall.as_nanos(), self.cpu.as_nanos())
    }

    /// Reads [`to_line`](Self::to_line)'s output.
    pub fn from_line(line: &str) -> Option<Sample> {
        let mut it = line.split_whitespace().map(|n| n.parse::<u64>().ok());
        Some(Sample {
            wall: Duration::from_nanos(it.next()??),
            cpu: Duration::from_nanos(it.next()??),
        })
    }
}
