//! The sandbox's state: its settings, the [`Hits`], the open MFA sessions and
//! the stored records of every resource.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use chrono::NaiveDate;
use uuid::Uuid;

use super::resources::{Batch, Record, Resource};
use super::{Hits, SandboxConfig, Scenario};

/// How long a session of [`Scenario::Expiring`] lives, in seconds.
pub(super) const EXPIRING_SECS: u64 = 2;
/// How many records of each resource a fresh sandbox stores for the
/// [`Scenario::NoMfa`] link.
const SEEDED: usize = 250;
/// The newest day of the seeded records, and the day of the records of
/// resources that take no date range.
const SEED_DAY: Option<NaiveDate> = NaiveDate::from_ymd_opt(2024, 1, 31);

/// What the server's handlers share.
pub(super) struct Shared {
    pub(super) config: SandboxConfig,
    /// The resources served (`RESOURCES`, or a test's own table).
    pub(super) resources: &'static [Resource],
    pub(super) base_url: String,
    inner: Mutex<Inner>,
}

#[derive(Default)]
pub(super) struct Inner {
    pub(super) hits: Hits,
    pub(super) sessions: HashMap<String, Session>,
    /// Stored records by resource path, in a deterministic order (seeded ones
    /// first, then by first insertion).
    pub(super) store: HashMap<&'static str, Vec<Record>>,
}

impl Inner {
    /// The stored records of `resource`.
    pub(super) fn records(&mut self, resource: &Resource) -> &mut Vec<Record> {
        self.store.entry(resource.path).or_default()
    }
}

/// What a retrieve asked for; kept in a session until it completes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fetch {
    pub(super) resource: &'static Resource,
    pub(super) scenario: Scenario,
    pub(super) link: Uuid,
    pub(super) account: Option<Uuid>,
    pub(super) dates: Option<(NaiveDate, NaiveDate)>,
}

/// An MFA session between a `428` and the resume that completes it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Session {
    pub(super) fetch: Fetch,
    /// The factor being asked for: 1, or 2 for the second factor of token-twice.
    pub(super) round: u8,
    /// `None` when the expiry is too large to represent.
    pub(super) deadline: Option<Instant>,
}

impl Session {
    pub(super) fn expired(&self, now: Instant) -> bool {
        self.deadline.is_some_and(|d| now >= d)
    }
}

impl Shared {
    pub(super) fn new(
        config: SandboxConfig,
        base_url: String,
        resources: &'static [Resource],
    ) -> Shared {
        let shared = Shared {
            config,
            resources,
            base_url,
            inner: Mutex::new(Inner::default()),
        };
        let seeded = resources.iter().map(|r| (r.path, shared.seed(r))).collect();
        shared.lock().store = seeded;
        shared
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// 250 records of the no-mfa link: those of its accounts on consecutive
    /// days going back from 2024-01-31, newest first.
    fn seed(&self, resource: &Resource) -> Vec<Record> {
        let mut seeded = Vec::new();
        let mut day = SEED_DAY;
        while let Some(today) = day.filter(|_| seeded.len() < SEEDED) {
            let batch = (resource.records)(&Batch {
                accounts: self.config.balances_per_link.max(1),
                ..self.batch(Scenario::NoMfa.link(), today)
            });
            if batch.is_empty() {
                break;
            }
            seeded.extend(batch);
            day = today.pred_opt().filter(|_| resource.date_range);
        }
        seeded.truncate(SEEDED);
        seeded
    }

    /// The records a retrieve on `fetch` answers.
    pub(super) fn records_for(&self, fetch: &Fetch) -> Vec<Record> {
        let day = fetch.dates.map(|(_, to)| to).or(SEED_DAY);
        let Some(day) = day else {
            return Vec::new();
        };
        (fetch.resource.records)(&self.batch(fetch.link, day))
            .into_iter()
            .filter(|r| fetch.account.is_none_or(|a| r.account == Some(a)))
            .collect()
    }

    fn batch(&self, link: Uuid, day: NaiveDate) -> Batch {
        Batch {
            link,
            day,
            accounts: self.config.balances_per_link,
            documented_nulls: self.config.documented_nulls,
        }
    }

    /// How long a session of `scenario` lives, in seconds.
    pub(super) fn expiry_secs(&self, scenario: Scenario) -> u64 {
        if scenario == Scenario::Expiring {
            EXPIRING_SECS
        } else {
            self.config.expiry_secs
        }
    }
}
