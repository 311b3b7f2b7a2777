//! The Balances operations through the hand-written layer: retrieve and
//! resume with the MFA pause as a typed value, the whole MFA flow, list as a
//! stream that follows `next`, detail and delete.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use futures::{stream, Stream, StreamExt, TryStreamExt};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::client::{call, with_retry, Outcome};
use crate::error::Error;
use crate::generated::{types, Client};
use crate::mfa::{PendingSession, Token};

impl Client {
    /// The Balances operations (hand-written layer).
    pub fn balances(&self) -> Balances<'_> {
        Balances { client: self }
    }
}

/// The Balances operations of a [`Client`]; get it with [`Client::balances`].
#[derive(Debug, Clone, Copy)]
pub struct Balances<'a> {
    client: &'a Client,
}

/// What a retrieve or a resume came to.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Retrieval {
    /// The balances.
    Complete(Retrieved),
    /// The institution asks for an MFA token: answer with
    /// [`Balances::resume`], now or later (the value can be stored).
    TokenRequired(PendingSession),
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

impl<'a> Balances<'a> {
    /// Retrieves balances from the institution. Never retried automatically:
    /// it drives a live bank session.
    ///
    /// # Errors
    /// [`Error::Api`] for Belvo errors (400, 401, 408, 500 …), and the
    /// transport and decoding errors of [`Error`].
    pub async fn retrieve(&self, request: &RetrieveRequest) -> Result<Retrieval, Error> {
        let body = request.body()?;
        let c = self.client;
        let fut = c.balances_retrieve(request.fields.as_deref(), request.omit.as_deref(), &body);
        completed(call(fut, request.save_data).await?)
    }

    /// Resumes a paused retrieve with the token (none for inputless MFA).
    /// Sends `session` and `link` exactly as received and `save_data`
    /// explicitly. Fails locally, sending nothing, once the session's
    /// deadline has passed. Never retried automatically.
    ///
    /// # Errors
    /// [`Error::SessionExpired`] past the deadline; [`Error::TokenMissing`]
    /// when a token is needed and none is given; [`Error::Api`] (e.g.
    /// `session_expired`, see [`Error::is_session_expired`]) and the other
    /// errors of [`Error`].
    pub async fn resume(
        &self,
        pending: &PendingSession,
        token: Option<Token>,
    ) -> Result<Retrieval, Error> {
        if let Some(expired_at) = pending.expires_at().filter(|d| Utc::now() >= *d) {
            return Err(Error::SessionExpired { expired_at });
        }
        if token.is_none() && pending.needs_token() {
            return Err(Error::TokenMissing {
                kind: pending
                    .challenge()
                    .map_or("token".to_owned(), |c| c.kind.to_string()),
            });
        }
        let body = types::BalancesResumeRequest {
            link: pending.link().to_owned(),
            save_data: Some(pending.save_data()),
            session: pending.session().to_owned(),
            token: token.as_ref().map(|t| t.expose().to_owned()),
        };
        completed(call(self.client.balances_resume(&body), pending.save_data()).await?)
    }

    /// The whole flow: retrieve, then on each 428 ask `token_for` (given the
    /// pending session and its challenge) and resume; at most
    /// [`max_mfa_rounds`](crate::ClientBuilder::max_mfa_rounds) rounds.
    /// Inputless MFA is resumed without calling `token_for`. Stops on the
    /// first error, such as `session_expired`.
    ///
    /// ```no_run
    /// # async fn run(client: belvo::Client, link: uuid::Uuid) -> Result<(), belvo::Error> {
    /// use chrono::NaiveDate;
    /// let request = belvo::RetrieveRequest::new(
    ///     link,
    ///     NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
    ///     NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
    /// );
    /// let retrieved = client
    ///     .balances()
    ///     .retrieve_with_mfa(&request, |pending| {
    ///         let hint = pending.challenge().and_then(|c| c.instructions.clone());
    ///         async move {
    ///             println!("{}", hint.unwrap_or_default());
    ///             Ok::<_, std::io::Error>(belvo::Token::new("123456"))
    ///         }
    ///     })
    ///     .await?;
    /// println!("{} balances", retrieved.balances.len());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::TooManyMfaRounds`] (with the last pending session),
    /// [`Error::TokenProvider`] when `token_for` fails, and the errors of
    /// [`retrieve`](Self::retrieve) and [`resume`](Self::resume).
    pub async fn retrieve_with_mfa<F, Fut, E>(
        &self,
        request: &RetrieveRequest,
        mut token_for: F,
    ) -> Result<Retrieved, Error>
    where
        F: FnMut(&PendingSession) -> Fut,
        Fut: Future<Output = Result<Token, E>>,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let rounds = self.client.config_max_mfa_rounds();
        let mut step = self.retrieve(request).await?;
        for round in 1..=rounds {
            let pending = match step {
                Retrieval::Complete(done) => return Ok(done),
                Retrieval::TokenRequired(p) => p,
            };
            tracing::debug!(round, kind = ?pending.challenge().map(|c| c.kind.as_str()), "MFA token required");
            let token = if pending.needs_token() {
                Some(
                    token_for(&pending)
                        .await
                        .map_err(|e| Error::TokenProvider(e.into()))?,
                )
            } else {
                None
            };
            step = self.resume(&pending, token).await?;
        }
        match step {
            Retrieval::Complete(done) => Ok(done),
            Retrieval::TokenRequired(pending) => Err(Error::TooManyMfaRounds {
                rounds,
                pending: Box::new(pending),
            }),
        }
    }

    /// One page of the list (`page` is 1-based; `None` for the first).
    ///
    /// # Errors
    /// The errors of [`Error`]; retried per the client's
    /// [`RetryPolicy`](crate::RetryPolicy), if any.
    pub async fn list_page(
        &self,
        query: &ListQuery,
        page: Option<i32>,
    ) -> Result<types::BalanceList, Error> {
        let c = self.client;
        let q = query;
        with_retry(c.config_retry(), || async {
            let fut = c.balances_list(
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
            );
            ok_only(call(fut, true).await?)
        })
        .await
    }

    /// Every balance matching `query`, page after page, following `next`.
    ///
    /// The stream always ends: a page that makes no progress (no results but
    /// a `next`, a `next` seen before, a `next` that does not move forward,
    /// or more pages than the first page's `count` allows) ends it with
    /// [`Error::PaginationStalled`] or [`Error::Pagination`]. The page bound
    /// is `ceil(count / size of the first page)` plus [`LIST_EXTRA_PAGES`], since
    /// balances may be added while the list is read.
    ///
    /// ```no_run
    /// # async fn run(client: belvo::Client, link: uuid::Uuid) -> Result<(), belvo::Error> {
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client
    ///     .balances()
    ///     .list(belvo::ListQuery::for_link(link).page_size(500))
    ///     .try_collect()
    ///     .await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub fn list(
        &self,
        query: ListQuery,
    ) -> impl Stream<Item = Result<types::Balance, Error>> + Send + 'a {
        let query = Arc::new(query);
        let this = *self;
        stream::try_unfold(Ok(Some(Pages::default())), move |state| {
            let query = Arc::clone(&query);
            async move {
                // The page before ended the list, or made no progress: its
                // balances were yielded, now its error.
                let Some(pages) = state? else {
                    return Ok(None);
                };
                let list = this.list_page(&query, pages.next).await?;
                let next = pages.advance(&list);
                Ok(Some((stream::iter(list.results.into_iter().map(Ok)), next)))
            }
        })
        .try_flatten()
        .boxed()
    }

    /// One balance.
    ///
    /// # Errors
    /// [`Error::Api`] with `not_found` for an unknown id; the errors of
    /// [`Error`]; retried per the client's [`RetryPolicy`](crate::RetryPolicy).
    pub async fn get(&self, id: Uuid) -> Result<types::Balance, Error> {
        let c = self.client;
        with_retry(c.config_retry(), || async {
            ok_only(call(c.balances_detail(&id, None, None), true).await?)
        })
        .await
    }

    /// Deletes one balance. Not retried.
    ///
    /// # Errors
    /// [`Error::Api`] with `not_found` for an unknown id; the errors of [`Error`].
    pub async fn delete(&self, id: Uuid) -> Result<(), Error> {
        ok_only(call(self.client.balances_delete(&id), true).await?)
    }
}

fn completed(outcome: Outcome<Vec<types::Balance>>) -> Result<Retrieval, Error> {
    Ok(match outcome {
        Outcome::Ok(v) => Retrieval::Complete(Retrieved {
            persisted: v.status() == reqwest::StatusCode::CREATED,
            balances: v.into_inner(),
        }),
        Outcome::TokenRequired(p) => Retrieval::TokenRequired(p),
    })
}

fn ok_only<T>(outcome: Outcome<T>) -> Result<T, Error> {
    match outcome {
        Outcome::Ok(v) => Ok(v.into_inner()),
        Outcome::TokenRequired(p) => Err(Error::UnexpectedTokenRequired(Box::new(p))),
    }
}

/// Pages a list may read beyond what the first page's `count` allows: the
/// list may grow while it is read.
pub const LIST_EXTRA_PAGES: u64 = 2;

/// Where a list is, and what it has seen: enough to tell that a server makes
/// no progress.
#[derive(Default)]
struct Pages {
    /// The page to ask for (`None`: the first).
    next: Option<i32>,
    /// Pages read so far.
    read: u64,
    /// The most pages the first page's `count` allows.
    bound: Option<u64>,
    /// Every `next` link seen.
    seen: HashSet<String>,
}

impl Pages {
    /// Takes in the page just read; the state for the next one, or `None`
    /// when the list is complete.
    fn advance(mut self, list: &types::BalanceList) -> Result<Option<Pages>, Error> {
        let page = self.next.unwrap_or(1);
        self.read += 1;
        let Some(next) = list.next.as_deref() else {
            return Ok(None);
        };
        let stalled = |reason: String| Error::PaginationStalled { page, reason };
        if list.results.is_empty() {
            return Err(stalled("the page has no results but a `next` link".into()));
        }
        let bound = *self.bound.get_or_insert_with(|| {
            let count = u64::try_from(list.count).unwrap_or(0);
            let size = list.results.len() as u64;
            count.div_ceil(size) + LIST_EXTRA_PAGES
        });
        if self.read >= bound {
            return Err(stalled(format!(
                "{} pages read and still a `next` link, more than a count of {} allows",
                self.read, list.count
            )));
        }
        if !self.seen.insert(next.to_owned()) {
            return Err(stalled("its `next` link was seen before".into()));
        }
        self.next = Some(next_page(next, page)?);
        Ok(Some(self))
    }
}

/// The page number of an absolute `next` URL; it must move forward.
fn next_page(next: &str, current: i32) -> Result<i32, Error> {
    let fail = |reason: &str| Error::Pagination {
        next: next.to_owned(),
        reason: reason.to_owned(),
    };
    let url = reqwest::Url::parse(next).map_err(|e| fail(&e.to_string()))?;
    let page = url
        .query_pairs()
        .find(|(k, _)| k == "page")
        .ok_or_else(|| fail("it has no `page` parameter"))?
        .1
        .parse::<i32>()
        .map_err(|_| fail("its `page` is not a number"))?;
    if page <= current {
        return Err(fail("it does not move forward"));
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links() {
        assert_eq!(
            next_page("https://x/api/balances/?page=3&page_size=2", 2).ok(),
            Some(3)
        );
        assert!(matches!(
            next_page("https://x/api/balances/?page=2", 2),
            Err(Error::Pagination { .. })
        ));
        assert!(next_page("/relative?page=2", 1).is_err());
        assert!(next_page("https://x/?cursor=abc", 1).is_err());
    }

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
