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
    body: &types::BalancesRetrieveRequest,
    resume: &types::BalancesResumeRequest,
) {
    let _: Result<
        belvo::raw::ResponseValue<Vec<types::Balance>>,
        belvo::raw::Error<types::BalancesRetrieveError>,
    > = c.balances_retrieve(None, None, body).await;
    let _: Result<
        belvo::raw::ResponseValue<Vec<types::Balance>>,
        belvo::raw::Error<types::BalancesResumeError>,
    > = c.balances_resume(resume).await;
    let _: Result<belvo::raw::ResponseValue<types::Balance>, _> =
        c.balances_detail(&id, None, None).await;
    let _: Result<belvo::raw::ResponseValue<()>, _> = c.balances_delete(&id).await;
    let _: Result<belvo::raw::ResponseValue<types::BalanceList>, _> = c
        .balances_list(
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(1),
            Some(100),
            None,
            None,
            None,
        )
        .await;
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
    let _ = hand_written;
}
