//! Compile-only: calls the key generated and hand-written methods with their
//! types, so a renamed operation or field breaks the build, not a user.

#![allow(dead_code, unused_variables, clippy::let_underscore_future)]

use belvo::{
    types, Client, Error, ListQuery, PendingSession, Retrieval, RetrieveRequest, Retrieved, Token,
};
use futures::Stream;

async fn generated(
    c: &Client,
    id: uuid::Uuid,
    body: &types::DateRangeRetrieveRequest,
    resume: &types::ResumeRequest,
) {
    let _: Result<
        belvo::raw::ResponseValue<Vec<types::Balance>>,
        belvo::raw::Error<types::BalancesRetrieveError>,
    > = c
        .balances_retrieve()
        .fields("id,balance")
        .body(body.clone())
        .send()
        .await;
    let _: Result<
        belvo::raw::ResponseValue<Vec<types::Balance>>,
        belvo::raw::Error<types::BalancesResumeError>,
    > = c.balances_resume().body(resume.clone()).send().await;
    let _: Result<belvo::raw::ResponseValue<types::Balance>, _> =
        c.balances_detail().id(id).send().await;
    let _: Result<belvo::raw::ResponseValue<()>, _> = c.balances_delete().id(id).send().await;
    let _: Result<belvo::raw::ResponseValue<types::BalanceList>, _> = c
        .balances_list()
        .link(id)
        .page(1)
        .page_size(100)
        .value_date_gte("2024-01-01")
        .send()
        .await;
}

/// One operation of every folder of Belvo's collection (and of the project's
/// additions), through the generated builders: renaming any of them breaks
/// this build. Folders of a resource group are there when its feature is (by
/// default, all).
async fn every_folder(c: &Client, widget: types::WidgetTokenCreateRequest) {
    let _: Result<belvo::raw::ResponseValue<types::InstitutionList>, _> =
        c.institutions_list().send().await;
    let _: Result<belvo::raw::ResponseValue<types::LinkList>, _> = c.links_list().send().await;
    let _: Result<belvo::raw::ResponseValue<types::AccountList>, _> =
        c.accounts_list().send().await;
    let _: Result<belvo::raw::ResponseValue<types::TransactionList>, _> =
        c.transactions_list().send().await;
    let _: Result<belvo::raw::ResponseValue<types::BalanceList>, _> =
        c.balances_list().send().await;
    let _: Result<belvo::raw::ResponseValue<types::OwnerList>, _> = c.owners_list().send().await;
    #[cfg(feature = "investments")]
    let _ = c.investment_portfolios_list().send().await;
    #[cfg(feature = "receivables")]
    let _ = c.receivable_transactions_list().send().await;
    #[cfg(feature = "employment")]
    let _ = c.employment_records_list().send().await;
    #[cfg(feature = "enrichment")]
    let _ = c.incomes_list().send().await;
    #[cfg(feature = "enrichment")]
    let _ = c.recurring_expenses_list().send().await;
    #[cfg(feature = "enrichment")]
    let _ = c.risk_insights_list().send().await;
    #[cfg(feature = "enrichment")]
    let _ = c.categorization_categorize().body_map(|b| b).send().await;
    #[cfg(feature = "enrichment")]
    let _ = c.income_verification_verify().body_map(|b| b).send().await;
    #[cfg(feature = "fiscal")]
    let _ = c.invoices_list().send().await;
    #[cfg(feature = "fiscal")]
    let _ = c.tax_declarations_list().send().await;
    #[cfg(feature = "fiscal")]
    let _ = c.tax_returns_list().send().await;
    #[cfg(feature = "fiscal")]
    let _ = c.tax_status_list().send().await;
    #[cfg(feature = "fiscal")]
    let _ = c.tax_retentions_list().send().await;
    #[cfg(feature = "fiscal")]
    let _ = c.tax_compliance_status_list().send().await;
    #[cfg(feature = "payments")]
    let _ = c.secret_keys_list().send().await;
    #[cfg(feature = "payments")]
    let _ = c.payment_institutions_list().send().await;
    #[cfg(feature = "payments")]
    let _ = c.customers_list().send().await;
    #[cfg(feature = "payments")]
    let _ = c.bank_accounts_list().send().await;
    #[cfg(feature = "payments")]
    let _ = c.payment_links_list().send().await;
    #[cfg(feature = "payments")]
    let _ = c.payment_intents_list().send().await;
    #[cfg(feature = "payments")]
    let _ = c.payment_transactions_list().send().await;
    let _: Result<belvo::raw::ResponseValue<types::WidgetAccessToken>, _> =
        c.widget_token_create().body(widget).send().await;
}

async fn hand_written(
    c: &Client,
    req: &RetrieveRequest,
    p: &PendingSession,
    id: uuid::Uuid,
) -> Result<(), Error> {
    let r: Retrieval = c.balances().retrieve(req).await?;
    let r: Retrieval = c.balances().resume(p, Some(Token::new("1"))).await?;
    let done: Retrieved = c
        .balances()
        .retrieve_with_mfa(req, |p: &PendingSession| {
            let _ = p.challenge();
            async { Ok::<Token, std::io::Error>(Token::from("1")) }
        })
        .await?;
    let page: types::BalanceList = c
        .balances()
        .list_page(&ListQuery::default(), Some(2))
        .await?;
    let s = c.balances().list(ListQuery::default());
    fn is_stream<S: Stream<Item = Result<types::Balance, Error>> + Send>(_: &S) {}
    is_stream(&s);
    let b: types::Balance = c.balances().get(id).await?;
    c.balances().delete(id).await?;
    Ok(())
}

fn shareable<T: Clone + Send + Sync + 'static>() {}

#[test]
fn the_client_is_cheap_to_share_across_tasks() {
    shareable::<Client>();
    shareable::<PendingSession>();
    fn send_sync<T: Send + Sync + std::error::Error + 'static>() {}
    send_sync::<Error>();
    let _ = generated;
    let _ = every_folder;
    let _ = hand_written;
}
