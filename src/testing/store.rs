//! The sandbox's state: its settings, the [`Hits`], the open MFA sessions,
//! the links and the stored records of every resource.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use chrono::NaiveDate;
use uuid::Uuid;

use super::fixtures::links::{link_record, scenario_link, LinkState};
use super::links::LINKS;
use super::resources::{Batch, Dates, Record, Resource};
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
    /// The links that exist (one per scenario, then those
    /// registered); a retrieve on any other link is refused.
    pub(super) links: HashMap<Uuid, LinkState>,
    /// Stored records by resource path (links under `/api/links/`), in a
    /// deterministic order (seeded ones first, then by first insertion).
    pub(super) store: HashMap<&'static str, Vec<Record>>,
}

impl Inner {
    /// The stored records of `resource`.
    pub(super) fn records(&mut self, resource: &Resource) -> &mut Vec<Record> {
        self.store.entry(resource.path).or_default()
    }

    /// Stores `records` of `resource`, replacing those with the same id.
    pub(super) fn upsert(&mut self, resource: &Resource, records: Vec<Record>) {
        let stored = self.records(resource);
        for record in records {
            match stored.iter_mut().find(|s| s.id == record.id) {
                Some(existing) => *existing = record,
                None => stored.push(record),
            }
        }
    }

    /// Stores `link` (its state and its body).
    pub(super) fn put_link(&mut self, link: LinkState, documented_nulls: bool) {
        let record = link_record(&link, documented_nulls);
        self.links.insert(link.id, link);
        self.upsert(&LINKS, vec![record]);
    }
}

/// What a retrieve asked for; kept in a session until it completes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fetch {
    pub(super) resource: &'static Resource,
    pub(super) link: Uuid,
    pub(super) account: Option<Uuid>,
    pub(super) dates: Option<(NaiveDate, NaiveDate)>,
}

/// What an operation that may pause for a token does once it may go on.
#[derive(Debug, Clone)]
pub(super) enum Job {
    /// A retrieve: answers (and stores) the records.
    Fetch(Fetch),
    /// A link registration: stores the link and answers it.
    Register(LinkState),
    /// An update of link `id`'s credentials, or of its access mode.
    Update {
        id: Uuid,
        access_mode: Option<String>,
    },
}

/// An MFA session between a `428` and the resume that completes it.
#[derive(Debug, Clone)]
pub(super) struct Session {
    pub(super) job: Job,
    /// The scenario the session runs.
    pub(super) scenario: Scenario,
    /// The link the `428` named; the resume must send it.
    pub(super) link: Uuid,
    /// The `save_data` of the operation, for a resume that takes none.
    pub(super) save_data: bool,
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
        let mut inner = shared.lock();
        inner.store = seeded;
        for scenario in Scenario::ALL {
            inner.put_link(scenario_link(scenario), shared.config.documented_nulls);
        }
        drop(inner);
        shared
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The records of the no-mfa link a fresh sandbox stores: for a resource
    /// whose retrieve requires dates and whose records are per day, 250,
    /// those of consecutive days going back from 2024-01-31, newest first;
    /// for the others, those of one retrieve.
    fn seed(&self, resource: &Resource) -> Vec<Record> {
        let mut seeded: Vec<Record> = Vec::new();
        let mut day = SEED_DAY;
        while let Some(today) = day.filter(|_| seeded.len() < SEEDED) {
            let batch = (resource.records)(&Batch {
                accounts: self.config.balances_per_link.max(1),
                ..self.batch(Scenario::NoMfa.link(), today)
            });
            // Records that do not change with the day (recurring expenses)
            // are stored once.
            let before = seeded.len();
            for record in batch {
                if !seeded.iter().any(|s| s.id == record.id) {
                    seeded.push(record);
                }
            }
            if seeded.len() == before {
                break;
            }
            day = today
                .pred_opt()
                .filter(|_| resource.request.dates == Dates::Required);
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

    /// The scenario of `link`, if the link exists.
    pub(super) fn scenario_of(&self, link: Uuid) -> Option<Scenario> {
        self.lock().links.get(&link).map(|l| l.scenario)
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
