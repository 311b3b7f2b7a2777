//! The Balances family: its request and output types, and its operations
//! declared for the generic layer of `family.rs` (retrieve and resume with
//! the MFA pause, list, detail, delete).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use futures::Stream;

use crate::client::with_retry;
use crate::error::Error;
use crate::families::{date_order, resource, resume};
use crate::family::{erase, ok_only, Call, Family, Resource, Sealed};
use crate::generated::{builder, types, Client};
use crate::mfa::{FamilyName, PendingSession, Token};
use crate::pagination::paginated;

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

    /// Comma-separated fields to return (`fields`), such as
    /// `"id,value_date,balance,current_balance"`.
    ///
    /// The list must keep the properties a [`types::Balance`] cannot be
    /// decoded without: `id`, `value_date` and `balance` (and `account.id`
    /// when it names properties inside the account, `account.name`). A list
    /// that leaves one out is refused with [`Error::InvalidRequest`] before
    /// anything is sent: Belvo would answer balances this client cannot read.
    ///
    /// Only this retrieve's answer is shaped: a [`PendingSession`] does not
    /// keep `fields`, so the records of a resume after a 428 come back whole.
    #[must_use]
    pub fn fields(mut self, fields: impl Into<String>) -> Self {
        self.fields = Some(fields.into());
        self
    }

    /// Comma-separated fields to leave out (`omit`), such as
    /// `"statement,collected_at"`.
    ///
    /// Naming a property a [`types::Balance`] cannot be decoded without
    /// (`id`, `value_date`, `balance`, `account.id`) is refused with
    /// [`Error::InvalidRequest`] before anything is sent.
    ///
    /// Only this retrieve's answer is shaped: a [`PendingSession`] does not
    /// keep `omit`, so the records of a resume after a 428 come back whole.
    #[must_use]
    pub fn omit(mut self, omit: impl Into<String>) -> Self {
        self.omit = Some(omit.into());
        self
    }

    fn body(&self) -> Result<types::DateRangeRetrieveRequest, Error> {
        date_order(Some(self.date_from), Some(self.date_to))?;
        view_keeps_required(self.fields.as_deref(), self.omit.as_deref())?;
        Ok(types::DateRangeRetrieveRequest {
            account: self.account,
            date_from: self.date_from,
            date_to: self.date_to,
            link: self.link,
            save_data: Some(self.save_data),
            token: self.token.as_ref().map(|t| t.expose().to_owned()),
        })
    }
}

/// The properties of a balance without which [`types::Balance`] does not
/// decode (the overrides pin them as never null); `account.id` is the
/// embedded account's, required when the account is sent. `fields` must keep
/// them and `omit` must not name them.
const REQUIRED: [&str; 4] = ["id", "value_date", "balance", "account.id"];

/// The names of a comma-separated `fields` / `omit` list.
fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|n| !n.is_empty())
}

/// Refuses a `fields` that leaves out, or an `omit` that names, one of
/// [`REQUIRED`].
fn view_keeps_required(fields: Option<&str>, omit: Option<&str>) -> Result<(), Error> {
    if let Some(name) = omit.and_then(|omit| names(omit).find(|n| REQUIRED.contains(n))) {
        return Err(Error::InvalidRequest(format!(
            "omit names `{name}`, which a balance cannot be decoded without \
             (required: {})",
            REQUIRED.join(", ")
        )));
    }
    let Some(fields) = fields else {
        return Ok(());
    };
    let kept: Vec<&str> = names(fields).collect();
    match REQUIRED.iter().find(|r| left_out(r, &kept)) {
        Some(name) => Err(Error::InvalidRequest(format!(
            "fields leaves out `{name}`, which a balance cannot be decoded without \
             (required: {})",
            REQUIRED.join(", ")
        ))),
        None => Ok(()),
    }
}

/// Whether a `fields` list that keeps `kept` leaves `required` out. An
/// embedded object's property (`account.id`) is left out only when the list
/// names some of that object's properties (`account.name`) but neither it
/// nor the whole object: an object not named at all is not sent.
fn left_out(required: &str, kept: &[&str]) -> bool {
    if kept.contains(&required) {
        return false;
    }
    match required.rsplit_once('.') {
        None => true,
        Some((object, _)) => {
            !kept.contains(&object)
                && kept
                    .iter()
                    .any(|n| n.strip_prefix(object).is_some_and(|p| p.starts_with('.')))
        }
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
        let mut call = c.balances_retrieve().body(r.body()?);
        if let Some(fields) = &r.fields {
            call = call.fields(fields.clone());
        }
        if let Some(omit) = &r.omit {
            call = call.omit(omit.clone());
        }
        Ok(erase(call.send()))
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

resume!(Balances: balances_resume, as_is, save_data);

impl Resource<'_, Balances> {
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
        let call = query.builder(self.client());
        let call = match page {
            Some(page) => call.page(page),
            None => call,
        };
        let c = self.client();
        with_retry(c.config_retry(), || async {
            ok_only(crate::client::call(erase(call.clone().send()), true).await?)
        })
        .await
    }

    /// Every balance matching `query`, page after page: [`Client::paginate`]
    /// with the filters of a [`ListQuery`].
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
    pub fn list<'a>(
        &self,
        query: ListQuery,
    ) -> impl Stream<Item = Result<types::Balance, Error>> + Send + 'a
    where
        Self: 'a,
    {
        let c: &'a Client = self.client();
        c.paginate(query.builder(c))
    }
}

impl ListQuery {
    /// The generated list call with these filters. Belvo's filters are
    /// strings on the wire; dates and amounts go in their canonical text
    /// (`2024-01-31`, exact decimals).
    fn builder<'c>(&self, c: &'c Client) -> builder::BalancesList<'c> {
        let q = self;
        let mut call = c.balances_list();
        if let Some(v) = q.account {
            call = call.account(v);
        }
        if let Some(v) = &q.account_in {
            call = call.account_in(v.clone());
        }
        if let Some(v) = q.balance {
            call = call.balance(v.to_string());
        }
        if let Some(v) = q.balance_gt {
            call = call.balance_gt(v.to_string());
        }
        if let Some(v) = &q.currency {
            call = call.currency(v.clone());
        }
        if let Some(v) = q.id {
            call = call.id(v.to_string());
        }
        if let Some(v) = &q.institution {
            call = call.institution(v.clone());
        }
        if let Some(v) = q.link {
            call = call.link(v);
        }
        if let Some(v) = q.page_size {
            call = call.page_size(v);
        }
        if let Some(v) = q.value_date {
            call = call.value_date(v.to_string());
        }
        if let Some(v) = q.value_date_gte {
            call = call.value_date_gte(v.to_string());
        }
        if let Some(v) = q.value_date_lte {
            call = call.value_date_lte(v.to_string());
        }
        call
    }
}

resource!(@listed Balances: types::Balance, Uuid, balances_detail(id), balances_delete);
paginated!(BalancesList => types::BalanceList => types::Balance);

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

    fn request() -> RetrieveRequest {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).expect("date");
        RetrieveRequest::new(Uuid::nil(), d(1), d(2))
    }

    fn refusal(r: &RetrieveRequest) -> Option<String> {
        match r.body() {
            Err(Error::InvalidRequest(m)) => Some(m),
            Err(e) => panic!("{e:?}"),
            Ok(_) => None,
        }
    }

    #[test]
    fn fields_and_omit_keep_what_a_balance_requires() {
        for (fields, missing) in [
            ("id,balance", Some("value_date")),
            ("value_date, balance", Some("id")),
            ("", Some("id")),
            ("id,value_date,account", Some("balance")),
            ("id,value_date,balance,account.name", Some("account.id")),
            ("id,value_date,balance", None),
            (" balance , value_date,id,current_balance ", None),
            ("id,value_date,balance,account", None),
            ("id,value_date,balance,account.id,account.name", None),
        ] {
            let m = refusal(&request().fields(fields));
            match missing {
                Some(name) => {
                    let m = m.unwrap_or_else(|| panic!("{fields:?} accepted"));
                    assert!(m.starts_with(&format!("fields leaves out `{name}`")), "{m}");
                }
                None => assert_eq!(m, None, "{fields:?}"),
            }
        }
        for (omit, named) in [
            ("value_date", Some("value_date")),
            ("statement, id", Some("id")),
            ("account.id", Some("account.id")),
            ("balance", Some("balance")),
            ("statement,collected_at,account,current_balance", None),
            ("account.name", None),
        ] {
            let m = refusal(&request().omit(omit));
            match named {
                Some(name) => {
                    let m = m.unwrap_or_else(|| panic!("{omit:?} accepted"));
                    assert!(m.starts_with(&format!("omit names `{name}`")), "{m}");
                }
                None => assert_eq!(m, None, "{omit:?}"),
            }
        }
    }

    /// The first element of the `201` example of `POST /api/balances/` in
    /// Belvo's collection, its placeholders made concrete: a balance with
    /// every property, its account's too.
    #[cfg(feature = "testing")]
    fn belvos_balance() -> serde_json::Value {
        let collection: serde_json::Value =
            serde_json::from_str(include_str!("../openapi/belvo.postman_collection.json"))
                .expect("collection");
        let example = collection["item"]
            .as_array()
            .expect("folders")
            .iter()
            .flat_map(|f| f["item"].as_array().into_iter().flatten())
            .filter(|i| {
                i["request"]["method"] == "POST"
                    && i["request"]["url"]["raw"]
                        .as_str()
                        .is_some_and(|u| u.contains("/api/balances/"))
            })
            .flat_map(|i| i["response"].as_array().into_iter().flatten())
            .find(|r| r["code"] == 201)
            .expect("a 201 example");
        let body: serde_json::Value =
            serde_json::from_str(example["body"].as_str().expect("body")).expect("JSON");
        crate::testing::materialize(&body[0])
    }

    /// [`REQUIRED`] is what the generated type requires: removing any one
    /// property from Belvo's example (or from its account) fails to decode
    /// exactly for those.
    #[cfg(feature = "testing")]
    #[test]
    fn required_is_what_the_generated_balance_requires() {
        let sample = belvos_balance();
        if let Err(e) = serde_json::from_value::<types::Balance>(sample.clone()) {
            panic!("{e}: {sample}")
        }
        let mut required = Vec::new();
        let top: Vec<String> = sample
            .as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect();
        let inner: Vec<String> = sample["account"]
            .as_object()
            .expect("account")
            .keys()
            .cloned()
            .collect();
        assert!(inner.len() > 10, "the whole account: {inner:?}");
        for key in top {
            let mut v = sample.clone();
            v.as_object_mut().expect("object").remove(&key);
            if serde_json::from_value::<types::Balance>(v).is_err() {
                required.push(key);
            }
        }
        for key in inner {
            let mut v = sample.clone();
            v["account"].as_object_mut().expect("account").remove(&key);
            if serde_json::from_value::<types::Balance>(v).is_err() {
                required.push(format!("account.{key}"));
            }
        }
        required.sort();
        let mut expected = REQUIRED.map(String::from).to_vec();
        expected.sort();
        assert_eq!(required, expected);
    }
}
