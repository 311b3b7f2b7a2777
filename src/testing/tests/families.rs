//! Every MFA family through the client's family API against the sandbox:
//! one generic test body per concern ([`scenarios`], [`unresumable`],
//! [`list_detail_delete`], [`documented_nulls`], [`refused`]), instantiated
//! for each family by [`families!`].

use std::future::Future;
use std::time::Duration;

use futures::TryStreamExt;
use uuid::Uuid;

use super::*;
use crate::family::{Deletable, Family, Listed, Resumable, Unresumable};
use crate::{types, Error, ErrorCode, PendingSession, Retrieval, Token, TokenKind};

/// The range every retrieve asks for.
const DAY_FROM: &str = "2024-01-01";
const DAY_TO: &str = "2024-01-31";

fn day(text: &str) -> chrono::NaiveDate {
    text.parse().expect("a date")
}

/// A family the sandbox serves, and how a test asks it for the records of
/// a link.
trait Served:
    Family<Output: std::fmt::Debug, Pending: std::fmt::Debug>
    + Listed<Id = Uuid, Record: std::fmt::Debug>
    + Deletable
{
    /// Its collection path.
    const PATH: &'static str;
    /// Whether its retrieve takes a token up front.
    const TAKES_TOKEN: bool;
    /// The retrieve of `link`, with `token` up front if it takes one.
    fn request(link: Uuid, token: Option<&str>) -> Self::Request;
    /// The ids of a retrieve's or a resume's records.
    fn ids(output: &Self::Output) -> Vec<Uuid>;
    /// The id of a detail.
    fn detail_id(record: &<Self as Listed>::Record) -> Uuid;
    /// The ids of every listed record of `link` (all pages), through
    /// `Client::paginate`.
    fn listed(c: &crate::Client, link: Uuid) -> impl Future<Output = Result<Vec<Uuid>, Error>>;
    /// Whether every record of `output` decoded its documented nulls as `None`.
    fn nulls_are_none(output: &Self::Output) -> bool;
}

/// `served!(Family: Record, request, list, detail, nulls)`: the [`Served`]
/// of a family.
macro_rules! served {
    (
        $family:ty: $record:ty, $path:literal,
        token: $takes:expr,
        request: |$link:ident, $token:ident| $request:expr,
        list: |$c:ident, $l:ident| $list:expr,
        detail: |$d:ident| $detail:expr,
        nulls: |$r:ident| $nulls:expr $(,)?
    ) => {
        impl Served for $family {
            const PATH: &'static str = $path;
            const TAKES_TOKEN: bool = $takes;
            fn request($link: Uuid, $token: Option<&str>) -> Self::Request {
                let $token = $token.map(String::from);
                $request
            }
            fn ids(output: &Self::Output) -> Vec<Uuid> {
                output.records.iter().map(|r| r.id).collect()
            }
            fn detail_id($d: &<Self as Listed>::Record) -> Uuid {
                $detail
            }
            async fn listed($c: &crate::Client, $l: Uuid) -> Result<Vec<Uuid>, Error> {
                let all: Vec<$record> = $c.paginate($list).try_collect().await?;
                Ok(all.iter().map(|r| r.id).collect())
            }
            fn nulls_are_none(output: &Self::Output) -> bool {
                output.records.iter().all(|$r: &$record| $nulls)
            }
        }
    };
}

fn link_only(link: Uuid, token: Option<String>) -> types::LinkRetrieveRequest {
    types::LinkRetrieveRequest {
        link,
        save_data: None,
        token,
    }
}

fn date_range(link: Uuid, token: Option<String>) -> types::PeriodRetrieveRequest {
    types::PeriodRetrieveRequest {
        date_from: DAY_FROM.parse().expect("a date"),
        date_to: DAY_TO.parse().expect("a date"),
        link,
        save_data: None,
        token,
    }
}

served!(crate::family::Accounts: types::Account, "/api/accounts/",
    token: true,
    request: |link, token| link_only(link, token),
    list: |c, link| c.accounts_list().link(link),
    detail: |d| d.id,
    nulls: |r| r.name.is_none() && r.currency.is_none() && r.link.is_none(),
);
served!(crate::family::Transactions: types::Transaction, "/api/transactions/",
    token: true,
    request: |link, token| types::DateRangeRetrieveRequest {
        account: None,
        date_from: day(DAY_FROM),
        date_to: day(DAY_TO),
        link,
        save_data: None,
        token,
    },
    list: |c, link| c.transactions_list().link(link),
    detail: |d| d.id,
    nulls: |r| r.amount.is_none() && r.account.is_none() && r.merchant.is_none(),
);
served!(crate::family::Owners: types::Owner, "/api/owners/",
    token: true,
    request: |link, token| link_only(link, token),
    list: |c, link| c.owners_list().link(link.to_string()),
    detail: |d| d.id,
    nulls: |r| r.display_name.is_none() && r.email.is_none(),
);
served!(crate::family::Incomes: types::Income, "/api/incomes/",
    token: true,
    request: |link, token| types::IncomesRetrieveRequest {
        allowed_income_types: Vec::new(),
        date_from: None,
        date_to: None,
        link,
        minimum_confidence_level: None,
        save_data: None,
        token,
    },
    list: |c, link| c.incomes_list().link(link.to_string()),
    detail: |d| d.first().map(|r| r.id).unwrap_or_default(),
    nulls: |r| r.monthly_average.is_none() && r.income_streams.is_none(),
);
served!(crate::family::RecurringExpenses: types::RecurringExpense, "/api/recurring-expenses/",
    token: true,
    request: |link, token| date_range(link, token),
    list: |c, link| c.recurring_expenses_list().link(link),
    detail: |d| d.first().map(|r| r.id).unwrap_or_default(),
    nulls: |r| r.average_transaction_amount.is_none() && r.account.is_none(),
);
served!(crate::family::RiskInsights: types::RiskInsight, "/api/risk-insights/",
    token: true,
    request: |link, token| link_only(link, token),
    list: |c, link| c.risk_insights_list().link(link),
    detail: |d| d.first().map(|r| r.id).unwrap_or_default(),
    nulls: |r| r.balances_metrics.is_none() && r.accounts.is_none(),
);
served!(crate::family::InvestmentPortfolios: types::Portfolio, "/investments/portfolios/",
    token: true,
    request: |link, token| link_only(link, token),
    list: |c, link| c.investment_portfolios_list().link(link),
    detail: |d| d.id,
    nulls: |r| r.balance_gross.is_none() && r.instruments.is_none(),
);
served!(crate::family::Invoices: types::Invoice, "/api/invoices/",
    token: false,
    request: |link, _token| types::InvoicesRetrieveRequest {
        attach_xml: None,
        date_from: DAY_FROM.parse().expect("a date"),
        date_to: DAY_TO.parse().expect("a date"),
        link,
        save_data: None,
        type_: "INFLOW".into(),
    },
    list: |c, link| c.invoices_list().link(link),
    detail: |d| d.id,
    nulls: |r| r.total_amount.is_none() && r.sender_name.is_none(),
);
served!(crate::family::ReceivableTransactions: types::ReceivableTransaction, "/receivables/transactions/",
    token: true,
    request: |link, token| date_range(link, token),
    list: |c, link| c.receivable_transactions_list().link(link),
    detail: |d| d.id,
    nulls: |r| r.gross_amount.is_none() && r.account.is_none(),
);
served!(crate::family::EmploymentRecords: types::EmploymentRecord, "/api/employment-records/",
    token: false,
    request: |link, _token| types::EmploymentRecordsRetrieveRequest {
        attach_pdf: None,
        link,
        save_data: None,
    },
    // Belvo's employment records list takes no link filter.
    list: |c, _link| c.employment_records_list(),
    detail: |d| d.id,
    nulls: |r| r.personal_data.is_none() && r.report_date.is_none(),
);

async fn token() -> Result<Token, std::io::Error> {
    Ok(Token::new(SANDBOX_TOKEN))
}

async fn sandbox(config: SandboxConfig) -> (Sandbox, crate::Client) {
    let sandbox = Sandbox::start_with(config).await.expect("sandbox starts");
    let client = sandbox.client().expect("client");
    (sandbox, client)
}

/// The pending session of a retrieve that must pause.
async fn paused<F: Served + Resumable>(c: &crate::Client, scenario: Scenario) -> PendingSession {
    match c
        .resource::<F>()
        .retrieve(&F::request(scenario.link(), None))
        .await
    {
        Ok(Retrieval::TokenRequired(p)) => p,
        Ok(Retrieval::Complete(_)) => panic!("{}: {scenario} answered at once", F::name()),
        Err(e) => panic!("{}: {scenario}: {e}", F::name()),
    }
}

/// Every scenario of a family with a resume.
async fn scenarios<F: Served + Resumable>() {
    let (sandbox, c) = sandbox(SandboxConfig::default()).await;
    let family = c.resource::<F>();
    let name = F::name();

    // No MFA: the records at once, stored (201).
    let Retrieval::Complete(done) = family
        .retrieve(&F::request(Scenario::NoMfa.link(), None))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
    else {
        panic!("{name}: no-mfa paused")
    };
    assert!(!F::ids(&done).is_empty(), "{name}");

    // Token once: a numeric 428 tagged with the family, then one resume.
    let pending = paused::<F>(&c, Scenario::TokenOnce).await;
    assert_eq!(pending.family(), &name);
    assert_eq!(pending.link(), Scenario::TokenOnce.link().to_string());
    assert!(pending.needs_token(), "{name}");
    let challenge = pending.challenge().expect("token_generation_data");
    assert_eq!(challenge.kind, TokenKind::Numeric, "{name}");
    let wrong = family
        .resume(&pending, Some(Token::new("000000")))
        .await
        .expect_err("a wrong token");
    assert_eq!(wrong.codes(), vec![&ErrorCode::Invalid], "{name}: {wrong}");
    let Retrieval::Complete(resumed) = family
        .resume(&pending, Some(Token::new(SANDBOX_TOKEN)))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
    else {
        panic!("{name}: token-once paused twice")
    };
    assert_eq!(F::ids(&resumed).len(), F::ids(&done).len(), "{name}");
    let again = family
        .resume(&pending, Some(Token::new(SANDBOX_TOKEN)))
        .await
        .expect_err("a finished session");
    assert!(again.is_session_expired(), "{name}: {again}");

    // A right token sent up front skips the pause.
    if F::TAKES_TOKEN {
        let up_front = F::request(Scenario::TokenOnce.link(), Some(SANDBOX_TOKEN));
        let first = family.retrieve(&up_front).await;
        assert!(
            matches!(first, Ok(Retrieval::Complete(_))),
            "{name}: {first:?}"
        );
    }

    // Two factors, and inputless: the flow helper asks twice, then once (to
    // approve; the token it gets is not sent).
    for (scenario, asked_for) in [
        (Scenario::TokenTwice, 2),
        (Scenario::Inputless, 1),
        (Scenario::Qr, 1),
    ] {
        let mut asked = 0;
        let output = family
            .retrieve_with_mfa(&F::request(scenario.link(), None), |_| {
                asked += 1;
                token()
            })
            .await
            .unwrap_or_else(|e| panic!("{name}: {scenario}: {e}"));
        assert_eq!(asked, asked_for, "{name}: {scenario}");
        assert!(!F::ids(&output).is_empty(), "{name}: {scenario}");
    }
    let inputless = paused::<F>(&c, Scenario::Inputless).await;
    assert!(!inputless.needs_token(), "{name}");

    // Wrong token: every token refused, on the token field.
    let err = family
        .retrieve_with_mfa(&F::request(Scenario::WrongToken.link(), None), |_| token())
        .await
        .expect_err("every token is wrong");
    // The flow stops with the session, which a mistyped token leaves open.
    let Error::MfaStopped { source, pending } = &err else {
        panic!("{name}: {err:?}")
    };
    let Error::Api(api) = &**source else {
        panic!("{name}: {err:?}")
    };
    assert_eq!(api.errors[0].field.as_deref(), Some("token"), "{name}");
    assert_eq!(pending.family(), &F::name(), "{name}");

    // A session of another family is refused before anything is sent.
    let resumes = sandbox.hits().resume;
    let request =
        crate::RetrieveRequest::new(Scenario::TokenOnce.link(), day(DAY_FROM), day(DAY_TO));
    let Ok(Retrieval::TokenRequired(balances)) = c.balances().retrieve(&request).await else {
        panic!("balances did not pause")
    };
    let err = family
        .resume(&balances, Some(Token::new(SANDBOX_TOKEN)))
        .await
        .expect_err("another family's session");
    assert!(matches!(err, Error::WrongFamily { .. }), "{name}: {err}");
    assert_eq!(sandbox.hits().resume, resumes, "{name}: nothing sent");

    // Expiring: 2 seconds, then refused locally.
    let expiring = paused::<F>(&c, Scenario::Expiring).await;
    let left = expiring.expires_at().expect("a deadline") - chrono::Utc::now();
    assert!(left <= chrono::TimeDelta::seconds(2), "{name}: {left}");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let err = family
        .resume(&expiring, Some(Token::new(SANDBOX_TOKEN)))
        .await
        .expect_err("expired");
    assert!(matches!(err, Error::SessionExpired { .. }), "{name}: {err}");
}

/// The three documented 428 shapes, with the expiry as a number or a
/// string, each resumed.
async fn shapes<F: Served + Resumable>() {
    for shape in [
        TokenRequiredShape::Object,
        TokenRequiredShape::Array,
        TokenRequiredShape::Legacy,
    ] {
        let config = SandboxConfig {
            shape,
            expiry_as_string: shape == TokenRequiredShape::Array,
            ..SandboxConfig::default()
        };
        let (sandbox, c) = sandbox(config).await;
        let pending = paused::<F>(&c, Scenario::TokenOnce).await;
        assert!(pending.expires_at().is_some(), "{}: {shape:?}", F::name());
        let resumed = c
            .resource::<F>()
            .resume(&pending, Some(Token::new(SANDBOX_TOKEN)))
            .await
            .unwrap_or_else(|e| panic!("{}: {shape:?}: {e}", F::name()));
        assert!(
            matches!(resumed, Retrieval::Complete(_)),
            "{}: {shape:?}",
            F::name()
        );
        assert_eq!(sandbox.hits().resume, 1);
    }
}

/// A family without a resume: its 428 says so in its type, and a token
/// sent up front (where the request takes one) is the way through.
async fn unresumable<F: Served<Pending = Unresumable>>() {
    let (sandbox, c) = sandbox(SandboxConfig::default()).await;
    let family = c.resource::<F>();
    let name = F::name();
    let done = family
        .retrieve(&F::request(Scenario::NoMfa.link(), None))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(matches!(done, Retrieval::Complete(_)), "{name}");
    for scenario in [Scenario::TokenOnce, Scenario::Inputless] {
        let paused: Retrieval<F::Output, Unresumable> = family
            .retrieve(&F::request(scenario.link(), None))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let Retrieval::TokenRequired(paused) = paused else {
            panic!("{name}: {scenario} answered at once")
        };
        assert_eq!(paused.family(), &name);
        assert_eq!(paused.link(), scenario.link().to_string());
    }
    // No resume route: a PATCH on its path is a 404.
    let patch = reqwest::Client::new()
        .patch(format!("{}{}", sandbox.base_url(), F::PATH))
        .basic_auth(SANDBOX_SECRET_ID, Some(SANDBOX_SECRET_PASSWORD))
        .json(&serde_json::json!({"session": "f".repeat(32), "link": Scenario::TokenOnce.link()}))
        .send()
        .await
        .expect("sent");
    assert_eq!(patch.status(), 404, "{}", F::PATH);
    if F::TAKES_TOKEN {
        let up_front = F::request(Scenario::TokenOnce.link(), Some(SANDBOX_TOKEN));
        let done = family.retrieve(&up_front).await;
        assert!(
            matches!(done, Ok(Retrieval::Complete(_))),
            "{name}: {done:?}"
        );
        let wrong = F::request(Scenario::WrongToken.link(), Some(SANDBOX_TOKEN));
        let err = family.retrieve(&wrong).await.expect_err("refused");
        assert_eq!(err.codes(), vec![&ErrorCode::Invalid], "{name}");
    }
}

/// The list (every page), the detail and the delete of a family.
async fn list_detail_delete<F: Served>() {
    let (sandbox, c) = sandbox(SandboxConfig::default()).await;
    let name = F::name();
    let link = Scenario::NoMfa.link();
    let listed = F::listed(&c, link)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(!listed.is_empty(), "{name}");
    let mut unique = listed.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "{name}: a record twice");

    let family = c.resource::<F>();
    let id = listed[listed.len() / 2];
    let one = family
        .get(id)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(F::detail_id(&one), id, "{name}");
    family
        .delete(id)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let gone = family.get(id).await.expect_err("deleted");
    assert_eq!(gone.codes(), vec![&ErrorCode::NotFound], "{name}");
    let again = family.delete(id).await.expect_err("deleted twice");
    assert_eq!(again.status().map(|s| s.as_u16()), Some(404), "{name}");
    let after = F::listed(&c, link).await.expect("list");
    assert_eq!(after.len(), listed.len() - 1, "{name}");
    assert!(!after.contains(&id), "{name}");
    assert_eq!(sandbox.hits().delete, 2);
}

/// The documented nulls decode through the retrieve, every resume, the
/// list and the detail, and stay `None`.
async fn documented_nulls<F: Served>() {
    let (_sandbox, c) = sandbox(SandboxConfig::default().documented_nulls(true)).await;
    let name = F::name();
    let family = c.resource::<F>();
    let Ok(Retrieval::Complete(done)) = family
        .retrieve(&F::request(Scenario::NoMfa.link(), None))
        .await
    else {
        panic!("{name}: the retrieve did not decode")
    };
    assert!(F::nulls_are_none(&done), "{name}");
    let listed = F::listed(&c, Scenario::NoMfa.link())
        .await
        .unwrap_or_else(|e| panic!("{name}: the list: {e}"));
    let one = family
        .get(listed[0])
        .await
        .unwrap_or_else(|e| panic!("{name}: the detail: {e}"));
    assert_eq!(F::detail_id(&one), listed[0]);
}

/// [`documented_nulls`] through the resumes too.
async fn documented_nulls_resumed<F: Served + Resumable>() {
    documented_nulls::<F>().await;
    let (_sandbox, c) = sandbox(SandboxConfig::default().documented_nulls(true)).await;
    for scenario in [
        Scenario::TokenOnce,
        Scenario::TokenTwice,
        Scenario::Inputless,
    ] {
        let output = c
            .resource::<F>()
            .retrieve_with_mfa(&F::request(scenario.link(), None), |_| token())
            .await
            .unwrap_or_else(|e| panic!("{}: {scenario}: {e}", F::name()));
        assert!(F::nulls_are_none(&output), "{}: {scenario}", F::name());
    }
}

/// Wrong secret keys: `401` before anything else; an unknown link: a `400`
/// naming `link`.
async fn refused<F: Served>() {
    let (sandbox, c) = sandbox(SandboxConfig::default()).await;
    let stranger = crate::Client::builder()
        .base_url(sandbox.base_url())
        .credentials(crate::Credentials::new(SANDBOX_SECRET_ID, "nope"))
        .build()
        .expect("client");
    let err = stranger
        .resource::<F>()
        .retrieve(&F::request(Scenario::NoMfa.link(), None))
        .await
        .expect_err("401");
    assert_eq!(err.codes(), vec![&ErrorCode::AuthenticationFailed]);
    assert_eq!(sandbox.hits().unauthorized, 1);
    assert_eq!(sandbox.hits().retrieve, 0);

    let err = c
        .resource::<F>()
        .retrieve(&F::request(Uuid::nil(), None))
        .await
        .expect_err("400");
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(api.code(), Some(&ErrorCode::DoesNotExist));
    assert_eq!(
        api.errors[0].field.as_deref(),
        Some("link"),
        "{}",
        F::name()
    );
}

/// One test per concern and family.
macro_rules! families {
    ($($module:ident: $family:ty, $mfa:ident;)*) => {
        $(
            mod $module {
                #[tokio::test]
                async fn list_detail_delete() {
                    super::list_detail_delete::<$family>().await;
                }

                #[tokio::test]
                async fn refused() {
                    super::refused::<$family>().await;
                }

                families!(@$mfa $family);
            }
        )*
    };
    (@resumable $family:ty) => {
        #[tokio::test]
        async fn scenarios() {
            super::scenarios::<$family>().await;
        }

        #[tokio::test]
        async fn shapes() {
            super::shapes::<$family>().await;
        }

        #[tokio::test]
        async fn documented_nulls() {
            super::documented_nulls_resumed::<$family>().await;
        }
    };
    (@unresumable $family:ty) => {
        #[tokio::test]
        async fn unresumable() {
            super::unresumable::<$family>().await;
        }

        #[tokio::test]
        async fn documented_nulls() {
            super::documented_nulls::<$family>().await;
        }
    };
}

families! {
    accounts: crate::family::Accounts, resumable;
    transactions: crate::family::Transactions, resumable;
    owners: crate::family::Owners, resumable;
    incomes: crate::family::Incomes, resumable;
    recurring_expenses: crate::family::RecurringExpenses, resumable;
    risk_insights: crate::family::RiskInsights, resumable;
    investment_portfolios: crate::family::InvestmentPortfolios, resumable;
    invoices: crate::family::Invoices, resumable;
    receivable_transactions: crate::family::ReceivableTransactions, unresumable;
    employment_records: crate::family::EmploymentRecords, unresumable;
}
