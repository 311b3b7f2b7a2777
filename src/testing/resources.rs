//! The resources the sandbox serves, as data: one [`Resource`] entry each.
//!
//! Everything else (routes, Basic auth, validation, the `428` sessions and
//! their scenarios, `save_data`, pagination, detail and delete) is shared. To
//! serve another resource of Belvo's, add its entry to [`RESOURCES`] and the
//! function that makes its records to [`super::fixtures`]. Links, whose
//! operations are not a retrieve, are served by `links.rs`.

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
    /// What the retrieve body takes besides `link`, `token` and `save_data`.
    pub(super) request: Request,
    /// Whether a `PATCH` on the path resumes a `428`, and with what body.
    pub(super) resume: Resume,
    /// How the retrieve, the resume and the detail answer the records.
    pub(super) shapes: Shapes,
    /// The records a retrieve of one link answers.
    pub(super) records: fn(&Batch) -> Vec<Record>,
    /// The filters Belvo's collection gives the list (of `link` and
    /// `account`): another one is refused, not ignored.
    pub(super) filters: &'static [&'static str],
}

/// The list filters by `link` and by `account`.
const LINK_AND_ACCOUNT: &[&str] = &["link", "account"];
/// The list filter by `link` alone.
const LINK: &[&str] = &["link"];

/// The fields of a retrieve body, beyond the `link` every one requires (the
/// generated request type of the resource's retrieve).
#[derive(Debug, Clone, Copy)]
pub(super) struct Request {
    /// `date_from` and `date_to` (`YYYY-MM-DD`).
    pub(super) dates: Dates,
    /// Whether it takes `account` (a uuid filter).
    pub(super) account: bool,
    /// Whether it takes `token` (an MFA token sent up front); when it does
    /// not, a `token` is ignored like any unknown field.
    pub(super) token: bool,
    /// Whether it takes `save_data` (`201` and stored when true, `200` and
    /// not stored when false); without it the records are always stored
    /// and answered with `201`.
    pub(super) save_data: bool,
    /// Required string fields and the values they accept.
    pub(super) choices: &'static [(&'static str, &'static [&'static str])],
    /// Optional boolean fields.
    pub(super) flags: &'static [&'static str],
}

/// Whether a retrieve takes a date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dates {
    None,
    /// Both or neither (Incomes, the only retrieve that takes them so).
    #[cfg(feature = "enrichment")]
    Optional,
    Required,
}

/// The resume of a resource (`PATCH` on its path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resume {
    /// No resume: a `PATCH` is a `404`, and a `428` can only be answered by
    /// retrieving again with the token.
    None,
    /// `{session, link, token?, save_data?}`.
    WithSaveData,
    /// `{session, link, token?}`: `save_data` is the retrieve's.
    WithoutSaveData,
}

/// How records are answered: an array, or one object (Belvo documents some
/// retrieves, resumes and details one way, some the other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Many,
    One,
}

/// The [`Shape`] of each answer with records.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shapes {
    pub(super) retrieve: Shape,
    pub(super) resume: Shape,
    pub(super) detail: Shape,
}

/// Arrays from the retrieve and the resume, one object from the detail: most
/// resources.
const USUAL: Shapes = Shapes {
    retrieve: Shape::Many,
    resume: Shape::Many,
    detail: Shape::One,
};

/// `{link, token?, save_data?}` (`LinkRetrieveRequest`).
const LINK_ONLY: Request = Request {
    dates: Dates::None,
    account: false,
    token: true,
    save_data: true,
    choices: &[],
    flags: &[],
};

/// `{link, date_from, date_to, token?, save_data?}`
/// (`PeriodRetrieveRequest`).
const DATE_RANGE: Request = Request {
    dates: Dates::Required,
    ..LINK_ONLY
};

/// `DATE_RANGE` plus `account` (`DateRangeRetrieveRequest`).
const DATE_RANGE_ACCOUNT: Request = Request {
    account: true,
    ..DATE_RANGE
};

/// Every resource the sandbox serves (those of the resource groups the
/// crate is built with).
pub(super) static RESOURCES: &[Resource] = &[
    BALANCES,
    Resource {
        path: "/api/accounts/",
        request: LINK_ONLY,
        resume: Resume::WithSaveData,
        shapes: USUAL,
        records: fixtures::accounts,
        filters: LINK,
    },
    Resource {
        path: "/api/transactions/",
        request: DATE_RANGE_ACCOUNT,
        resume: Resume::WithSaveData,
        shapes: USUAL,
        records: fixtures::transactions,
        filters: LINK_AND_ACCOUNT,
    },
    Resource {
        path: "/api/owners/",
        request: LINK_ONLY,
        resume: Resume::WithSaveData,
        shapes: USUAL,
        records: fixtures::owners,
        filters: LINK,
    },
    #[cfg(feature = "enrichment")]
    Resource {
        path: "/api/incomes/",
        // `IncomesRetrieveRequest`: the dates are optional.
        request: Request {
            dates: Dates::Optional,
            ..LINK_ONLY
        },
        resume: Resume::WithSaveData,
        // One object from the retrieve, an array from the resume and the detail.
        shapes: Shapes {
            retrieve: Shape::One,
            resume: Shape::Many,
            detail: Shape::Many,
        },
        records: fixtures::incomes,
        filters: LINK_AND_ACCOUNT,
    },
    #[cfg(feature = "enrichment")]
    Resource {
        path: "/api/recurring-expenses/",
        request: DATE_RANGE,
        resume: Resume::WithSaveData,
        shapes: Shapes {
            detail: Shape::Many,
            ..USUAL
        },
        records: fixtures::recurring_expenses,
        filters: LINK_AND_ACCOUNT,
    },
    #[cfg(feature = "enrichment")]
    Resource {
        path: "/api/risk-insights/",
        request: LINK_ONLY,
        resume: Resume::WithSaveData,
        shapes: Shapes {
            detail: Shape::Many,
            ..USUAL
        },
        records: fixtures::risk_insights,
        filters: LINK,
    },
    #[cfg(feature = "investments")]
    Resource {
        path: "/investments/portfolios/",
        request: LINK_ONLY,
        resume: Resume::WithoutSaveData,
        shapes: Shapes {
            retrieve: Shape::One,
            resume: Shape::One,
            detail: Shape::One,
        },
        records: fixtures::portfolios,
        filters: LINK,
    },
    #[cfg(feature = "fiscal")]
    Resource {
        path: "/api/invoices/",
        // `InvoicesRetrieveRequest`: dates and `type` required, no token.
        request: Request {
            token: false,
            choices: &[("type", &["INFLOW", "OUTFLOW"])],
            flags: &["attach_xml"],
            ..DATE_RANGE
        },
        resume: Resume::WithSaveData,
        shapes: USUAL,
        records: fixtures::invoices,
        filters: LINK,
    },
    #[cfg(feature = "receivables")]
    Resource {
        path: "/receivables/transactions/",
        request: DATE_RANGE,
        resume: Resume::None,
        shapes: Shapes {
            retrieve: Shape::One,
            ..USUAL
        },
        records: fixtures::receivable_transactions,
        filters: LINK_AND_ACCOUNT,
    },
    #[cfg(feature = "employment")]
    Resource {
        path: "/api/employment-records/",
        // `EmploymentRecordsRetrieveRequest`: no token.
        request: Request {
            token: false,
            flags: &["attach_pdf"],
            ..LINK_ONLY
        },
        resume: Resume::None,
        shapes: USUAL,
        records: fixtures::employment_records,
        filters: &[],
    },
];

/// `/api/balances/`: list, retrieve, resume, detail, delete.
pub(super) const BALANCES: Resource = Resource {
    path: "/api/balances/",
    request: DATE_RANGE_ACCOUNT,
    resume: Resume::WithSaveData,
    shapes: USUAL,
    records: fixtures::balances,
    filters: LINK_AND_ACCOUNT,
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

impl Batch {
    /// `value`, or `None` (sent as `null`) with the documented nulls.
    pub(super) fn value<T>(&self, value: T) -> Option<T> {
        (!self.documented_nulls).then_some(value)
    }
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
