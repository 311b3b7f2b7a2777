//! The MFA flow of every resource and of links: an operation (a retrieve, a
//! link registration or update) that goes on at once or pauses with `428
//! token_required`, the resume that checks the token, asks for another factor
//! or completes, session expiry, and `save_data` (`201` and stored, or `200`).

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::errors::{
    bad_request, invalid_token, json_response, random_hex, session_expired, ApiError,
};
use super::links;
use super::resources::{Resource, Shape};
use super::store::{Fetch, Job, Session, Shared, EXPIRING_SECS};
use super::validate::{resume_body, retrieve_body, View};
use super::{Scenario, TokenRequiredShape, SANDBOX_QR, SANDBOX_TOKEN};

/// `message` of every 428 object.
pub(super) const TOKEN_REQUIRED_MESSAGE: &str =
    "A MFA token is required by the institution to login";
/// `instructions` of the SMS factor.
pub(super) const SMS_INSTRUCTIONS: &str = "Enter the 6-digit code sent by SMS to ***-***-1234";

/// Which answer an operation that may pause gives: the first one, or that
/// of a resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    First,
    Resume,
}

/// `POST` on the path of `resource`.
pub(super) fn retrieve(
    shared: &Shared,
    resource: &'static Resource,
    bytes: &[u8],
    view: &View,
) -> Response {
    let body = match retrieve_body(resource, bytes, |link| shared.scenario_of(link)) {
        Ok(body) => body,
        Err(errors) => return bad_request(&errors),
    };
    let fetch = Fetch {
        resource,
        link: body.link,
        account: body.account,
        dates: body.dates,
    };
    let start = Start {
        scenario: body.scenario,
        link: body.link,
        token: body.token.as_deref(),
        save_data: body.save_data,
    };
    begin(shared, &start, Job::Fetch(fetch), view)
}

/// The start of an operation that may pause for a token.
pub(super) struct Start<'a> {
    /// The scenario it runs (that of its link).
    pub(super) scenario: Scenario,
    /// The link its `428` names.
    pub(super) link: uuid::Uuid,
    /// The token sent up front, if any.
    pub(super) token: Option<&'a str>,
    pub(super) save_data: bool,
}

/// Runs `job` as its scenario says: at once, or after a `428` and its resumes.
pub(super) fn begin(shared: &Shared, start: &Start<'_>, job: Job, view: &View) -> Response {
    let right = start.token.map(|t| t == SANDBOX_TOKEN);
    let round = match start.scenario {
        Scenario::NoMfa => return finish(shared, job, start.save_data, view, Stage::First),
        Scenario::TokenOnce => match right {
            Some(true) => return finish(shared, job, start.save_data, view, Stage::First),
            Some(false) => return invalid_token(),
            None => 1,
        },
        Scenario::TokenTwice => match right {
            Some(true) => 2,
            Some(false) => return invalid_token(),
            None => 1,
        },
        Scenario::WrongToken => match right {
            Some(_) => return invalid_token(),
            None => 1,
        },
        Scenario::Inputless | Scenario::Qr | Scenario::Expiring => 1,
    };
    let session_id = random_hex();
    let now = Instant::now();
    let session = Session {
        job,
        scenario: start.scenario,
        link: start.link,
        save_data: start.save_data,
        round,
        deadline: now.checked_add(Duration::from_secs(shared.expiry_secs(start.scenario))),
    };
    let response = token_required(shared, &session_id, &session);
    {
        let mut inner = shared.lock();
        inner.sessions.retain(|_, s| !s.expired(now));
        inner.sessions.insert(session_id, session);
    }
    response
}

/// What a resume comes to, decided under the lock.
enum Outcome {
    Expired,
    WrongLink,
    MissingToken,
    BadToken,
    Again(Session),
    Complete(Session),
}

/// A resume (`PATCH`): of the sessions `accepts` (those of the resource, or
/// of links); `takes_save_data` when its body may carry `save_data`.
pub(super) fn resume(
    shared: &Shared,
    bytes: &[u8],
    view: &View,
    takes_save_data: bool,
    accepts: impl Fn(&Job) -> bool,
) -> Response {
    let body = match resume_body(takes_save_data, bytes) {
        Ok(body) => body,
        Err(errors) => return bad_request(&errors),
    };
    let now = Instant::now();
    let outcome = {
        let mut inner = shared.lock();
        let outcome = match inner.sessions.get_mut(&body.session) {
            // A session of another resource is unknown here.
            Some(session) if accepts(&session.job) => {
                advance(shared, session, body.link, body.token.as_deref(), now)
            }
            _ => return session_expired(),
        };
        if matches!(outcome, Outcome::Expired | Outcome::Complete(_)) {
            inner.sessions.remove(&body.session);
        }
        outcome
    };
    match outcome {
        Outcome::Expired => session_expired(),
        Outcome::WrongLink => bad_request(&[ApiError::field(
            "invalid_link",
            "link",
            "The link does not match the MFA session",
        )]),
        Outcome::MissingToken => bad_request(&[ApiError::field(
            "required",
            "token",
            "A token is required to resume this MFA session",
        )]),
        Outcome::BadToken => invalid_token(),
        Outcome::Again(session) => token_required(shared, &body.session, &session),
        Outcome::Complete(session) => {
            // Belvo's default when the resume takes `save_data` and leaves
            // it out; a resume that takes none goes on as the retrieve said.
            let save_data = match takes_save_data {
                true => body.save_data.unwrap_or(true),
                false => session.save_data,
            };
            finish(shared, session.job, save_data, view, Stage::Resume)
        }
    }
}

/// One resume of `session` with `link` and `token`: the next step of its scenario.
fn advance(
    shared: &Shared,
    session: &mut Session,
    link: uuid::Uuid,
    token: Option<&str>,
    now: Instant,
) -> Outcome {
    let scenario = session.scenario;
    if session.expired(now) {
        return Outcome::Expired;
    }
    if session.link != link {
        return Outcome::WrongLink;
    }
    if !scenario.needs_token() {
        return Outcome::Complete(session.clone());
    }
    match token {
        None => Outcome::MissingToken,
        Some(t) if scenario == Scenario::WrongToken || t != SANDBOX_TOKEN => Outcome::BadToken,
        Some(_) if scenario == Scenario::TokenTwice && session.round == 1 => {
            session.round = 2;
            session.deadline = now.checked_add(Duration::from_secs(shared.expiry_secs(scenario)));
            Outcome::Again(session.clone())
        }
        Some(_) => Outcome::Complete(session.clone()),
    }
}

/// The answer of `job` once it may go on.
fn finish(shared: &Shared, job: Job, save_data: bool, view: &View, stage: Stage) -> Response {
    match job {
        Job::Fetch(fetch) => complete(shared, &fetch, save_data, view, stage),
        Job::Register(link) => links::registered(shared, link, stage, view),
        Job::Update { id, access_mode } => links::updated(shared, id, access_mode, view),
    }
}

/// The 428 answer for `session`.
fn token_required(shared: &Shared, session_id: &str, session: &Session) -> Response {
    let scenario = session.scenario;
    let secs = shared.expiry_secs(scenario);
    let expiry = if shared.config.expiry_as_string {
        Value::String(secs.to_string())
    } else {
        Value::Number(secs.into())
    };
    let link = session.link.to_string();
    let body = match shared.config.shape {
        TokenRequiredShape::Legacy => json!({
            "detail": "Token Required",
            "session": session_id,
            "expiry": expiry,
            "link": link,
        }),
        shape => {
            let object = json!({
                "code": "token_required",
                "message": TOKEN_REQUIRED_MESSAGE,
                "request_id": random_hex(),
                "session": session_id,
                "expiry": expiry,
                "link": link,
                "token_generation_data": token_generation_data(scenario, session.round),
            });
            if shape == TokenRequiredShape::Array {
                Value::Array(vec![object])
            } else {
                object
            }
        }
    };
    json_response(StatusCode::PRECONDITION_REQUIRED, body)
}

fn token_generation_data(scenario: Scenario, round: u8) -> Value {
    let numeric = |instructions: String| {
        json!({
            "instructions": instructions,
            "type": "numeric",
            "value": SANDBOX_TOKEN,
            "expects_user_input": true,
        })
    };
    match (scenario, round) {
        (Scenario::Inputless, _) => json!({
            "instructions": "Approve the login in your bank's app, then continue",
            "type": "inputless",
            "value": null,
            "expects_user_input": false,
        }),
        (Scenario::Qr, _) => json!({
            "instructions": "Scan the QR code with your bank's app, then continue",
            "type": "qr",
            "value": SANDBOX_QR,
            "expects_user_input": false,
        }),
        (Scenario::TokenTwice, 1) => numeric(format!("{SMS_INSTRUCTIONS} (first factor)")),
        (Scenario::TokenTwice, _) => {
            numeric("Enter the code from your token app (second factor)".into())
        }
        (Scenario::Expiring, _) => {
            numeric(format!("{SMS_INSTRUCTIONS} within {EXPIRING_SECS} seconds"))
        }
        _ => numeric(SMS_INSTRUCTIONS.into()),
    }
}

/// Answers the records of `fetch` in the shape of `stage`, storing them
/// when `save_data`.
fn complete(
    shared: &Shared,
    fetch: &Fetch,
    save_data: bool,
    view: &View,
    stage: Stage,
) -> Response {
    tracing::debug!(
        resource = fetch.resource.path,
        link = %fetch.link,
        dates = ?fetch.dates,
        save_data,
        "belvo sandbox completes a retrieve"
    );
    let records = shared.records_for(fetch);
    let shapes = fetch.resource.shapes;
    let shape = match stage {
        Stage::First => shapes.retrieve,
        Stage::Resume => shapes.resume,
    };
    let body = shaped(shape, records.iter().map(|r| view.apply(r.body.clone())));
    if save_data {
        shared.lock().upsert(fetch.resource, records);
    }
    let status = if save_data {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    json_response(status, body)
}

/// `bodies` as an array, or the first of them as one object.
pub(super) fn shaped(shape: Shape, mut bodies: impl Iterator<Item = Value>) -> Value {
    match shape {
        Shape::Many => Value::Array(bodies.collect()),
        Shape::One => bodies.next().unwrap_or(Value::Null),
    }
}
