//! The Balances family: its request and output types, and its operations
//! declared for the generic layer of `family.rs` (retrieve and resume with
//! the MFA pause, list, detail, delete).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::Error;
use crate::family::{
    erase, Call, Deletable, Family, Listed, Resource, Resumable, ResumeBody, Sealed,
};
use crate::generated::{types, Client};
use crate::mfa::{FamilyName, PendingSession, Token};
use crate::pagination::drf_page;

impl Client {
    /// The Balances operations (hand-written layer):
    /// `client.resource::<belvo::family::Balances>()`.
    pub fn balances(&self) -> Resource<'_, Balances> {
        self.resource()
    }
}

/// Balances returned by a retrieve or a resume.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrieved {
    /// The balances.
    pub balances: Vec<types::Balance>,
    /// True when Belvo persisted them (201, `save_data` true), false when it
    /// only returned them (200).
    pub persisted: bool,
}

/// The body of a retrieve (`POST /api/balances/`).
#[derive(Debug, Clone)]
pub struct RetrieveRequest {
    link: Uuid,
    date_from: NaiveDate,
    date_to: NaiveDate,
    account: Option<Uuid>,
    token: Option<Token>,
    save_data: bool,
    fields: Option<String>,
    omit: Option<String>,
}

impl RetrieveRequest {
    /// Balances of `link` from `date_from` to `date_to` (inclusive).
    pub fn new(link: Uuid, date_from: NaiveDate, date_to: NaiveDate) -> Self {
        RetrieveRequest {
            link,
            date_from,
            date_to,
            account: None,
            token: None,
            save_data: true,
            fields: None,
            omit: None,
        }
    }

    /// Only this account.
    #[must_use]
    pub fn account(mut self, account: Uuid) -> Self {
        self.account = Some(account);
        self
    }

    /// An MFA token sent up front.
    #[must_use]
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Whether Belvo persists the balances (default true). Always sent.
    #[must_use]
    pub fn save_data(mut self, save_data: bool) -> Self {
        self.save_data = save_data;
        self
    }

    /// Comma-separated fields to return (`fields`).
    #[must_use]
    pub fn fields(mut self, fields: impl Into<String>) -> Self {
        self.fields = Some(fields.into());
        self
    }

    /// Comma-separated fields to leave out (`omit`).
    #[must_use]
    pub fn omit(mut self, omit: impl Into<String>) -> Self {
        self.omit = Some(omit.into());
        self
    }

    fn body(&self) -> Result<types::BalancesRetrieveRequest, Error> {
        if self.date_from > self.date_to {
            return Err(Error::InvalidRequest(format!(
                "date_from {} is after date_to {}",
                self.date_from, self.date_to
            )));
        }
        Ok(types::BalancesRetrieveRequest {
            account: self.account,
            date_from: self.date_from,
            date_to: self.date_to,
            link: self.link,
            save_data: Some(self.save_data),
            token: self.token.as_ref().map(|t| t.expose().to_owned()),
        })
    }
}

/// Filters of a list (`GET /api/balances/`).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ListQuery {
    /// `link`.
    pub link: Option<Uuid>,
    /// `account`.
    pub account: Option<Uuid>,
    /// `account__in`: comma-separated account ids.
    pub account_in: Option<String>,
    /// `balance`.
    pub balance: Option<Decimal>,
    /// `balance__gt`.
    pub balance_gt: Option<Decimal>,
    /// `currency`.
    pub currency: Option<String>,
    /// `id`.
    pub id: Option<Uuid>,
    /// `institution`.
    pub institution: Option<String>,
    /// `value_date`.
    pub value_date: Option<NaiveDate>,
    /// `value_date__gte`.
    pub value_date_gte: Option<NaiveDate>,
    /// `value_date__lte`.
    pub value_date_lte: Option<NaiveDate>,
    /// `page_size` (1 to 1000; Belvo's default is 100).
    pub page_size: Option<i32>,
}

impl ListQuery {
    /// Balances of one link.
    pub fn for_link(link: Uuid) -> Self {
        ListQuery {
            link: Some(link),
            ..ListQuery::default()
        }
    }

    /// Sets `page_size`.
    #[must_use]
    pub fn page_size(mut self, size: i32) -> Self {
        self.page_size = Some(size);
        self
    }
}

/// The Balances family (`/api/balances/`): retrieve and resume with the MFA
/// pause, list, detail and delete, through [`Resource`]. A marker type:
/// `client.balances()` is `client.resource::<family::Balances>()`.
#[derive(Debug)]
pub enum Balances {}

impl Sealed for Balances {}

impl Family for Balances {
    type Request = RetrieveRequest;
    type Body = Vec<types::Balance>;
    type Output = Retrieved;
    type Pending = PendingSession;

    fn name() -> FamilyName {
        FamilyName::Balances
    }

    fn retrieve<'a>(c: &'a Client, r: &'a RetrieveRequest) -> Result<Call<'a, Self::Body>, Error> {
        let body = r.body()?;
        let (fields, omit) = (r.fields.as_deref(), r.omit.as_deref());
        Ok(erase(async move {
            c.balances_retrieve(fields, omit, &body).await
        }))
    }

    fn save_data(r: &RetrieveRequest) -> Option<bool> {
        Some(r.save_data)
    }

    fn complete(balances: Vec<types::Balance>, persisted: bool) -> Retrieved {
        Retrieved {
            balances,
            persisted,
        }
    }
}

impl Resumable for Balances {
    fn resume(c: &Client, b: ResumeBody) -> Call<'_, Self::Body> {
        let body = types::BalancesResumeRequest {
            link: b.link,
            save_data: Some(b.save_data),
            session: b.session,
            token: b.token,
        };
        erase(async move { c.balances_resume(&body).await })
    }
}

impl Listed for Balances {
    type Query = ListQuery;
    type Record = types::Balance;
    type Page = types::BalanceList;

    fn list_page<'a>(c: &'a Client, q: &'a ListQuery, page: Option<i32>) -> Call<'a, Self::Page> {
        erase(c.balances_list(
            q.account.as_ref(),
            q.account_in.as_deref(),
            q.balance.as_ref(),
            q.balance_gt.as_ref(),
            q.currency.as_deref(),
            q.id.as_ref(),
            q.institution.as_deref(),
            q.link.as_ref(),
            page,
            q.page_size,
            q.value_date.as_ref(),
            q.value_date_gte.as_ref(),
            q.value_date_lte.as_ref(),
        ))
    }

    fn detail<'a>(c: &'a Client, id: &'a Uuid) -> Call<'a, types::Balance> {
        erase(c.balances_detail(id, None, None))
    }
}

impl Deletable for Balances {
    fn delete<'a>(c: &'a Client, id: &'a Uuid) -> Call<'a, ()> {
        erase(c.balances_delete(id))
    }
}

drf_page!(types::BalanceList => types::Balance);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_before_sending() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).expect("date");
        let r = RetrieveRequest::new(Uuid::nil(), d(10), d(2));
        assert!(matches!(r.body(), Err(Error::InvalidRequest(m)) if m.contains("date_from")));
        let body = RetrieveRequest::new(Uuid::nil(), d(1), d(2))
            .save_data(false)
            .body()
            .expect("valid");
        assert_eq!(body.save_data, Some(false));
    }
}
