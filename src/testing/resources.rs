//! The resources the sandbox serves, as data: one [`Resource`] entry each.
//!
//! Everything else (routes, Basic auth, validation, the `428` sessions and
//! their scenarios, `save_data`, pagination, detail and delete) is shared. To
//! serve another resource of Belvo's, add its entry to [`RESOURCES`] and the
//! function that makes its records to [`super::fixtures`].

use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

use super::fixtures;

/// One resource of Belvo's API whose retrieve may pause for an MFA token.
#[derive(Debug)]
pub(super) struct Resource {
    /// The collection path, with its trailing slash (`/api/balances/`); the
    /// detail path is this plus `{id}/`.
    pub(super) path: &'static str,
    /// Whether the retrieve body takes `date_from` and `date_to` (required).
    pub(super) date_range: bool,
    /// Whether a `PATCH` on the path resumes a `428`.
    pub(super) resume: bool,
    /// Whether the retrieve and resume bodies take `save_data` (`201` and
    /// stored when true, `200` and not stored when false); without it the
    /// records are always stored and answered with `201`.
    pub(super) save_data: bool,
    /// The records a retrieve of one link answers.
    pub(super) records: fn(&Batch) -> Vec<Record>,
}

/// Every resource the sandbox serves.
pub(super) static RESOURCES: &[Resource] = &[BALANCES];

/// `/api/balances/`: list, retrieve, resume, detail, delete.
pub(super) const BALANCES: Resource = Resource {
    path: "/api/balances/",
    date_range: true,
    resume: true,
    save_data: true,
    records: fixtures::balances,
};

/// What a fixture function is asked for: the records of one link.
#[derive(Debug, Clone, Copy)]
pub(super) struct Batch {
    /// The link the records belong to.
    pub(super) link: Uuid,
    /// The day they are for (`date_to` of the retrieve, or a fixed day).
    pub(super) day: NaiveDate,
    /// How many accounts the link has (`SandboxConfig::balances_per_link`).
    pub(super) accounts: usize,
    /// Whether to send the `null`s Belvo documents (`SandboxConfig::documented_nulls`).
    pub(super) documented_nulls: bool,
}

/// One record of a resource, as served and stored.
#[derive(Debug, Clone)]
pub(super) struct Record {
    /// Its `id`, for detail and delete.
    pub(super) id: Uuid,
    /// Its link, for the `link` filter of the list.
    pub(super) link: Uuid,
    /// Its account, if it has one, for the `account` filters.
    pub(super) account: Option<Uuid>,
    /// The JSON body.
    pub(super) body: Value,
}
