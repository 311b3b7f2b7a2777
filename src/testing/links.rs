//! The link lifecycle: register (`POST /api/links/`), resume (`PATCH
//! /api/links/`), list, detail, delete, update of credentials (`PUT
//! /api/links/{id}/`) and of the access mode (`PATCH /api/links/{id}/`).
//!
//! A registration whose `username` is the name of a [`Scenario`]
//! (`token-once`, ...) runs that scenario's MFA flow; any other username
//! registers at once ([`Scenario::NoMfa`]). The registered link gets a fresh
//! random id, and every later operation on it (the retrieves of every
//! resource, its updates) runs the same scenario. The links of
//! [`Scenario::link`] exist in every fresh sandbox.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Extension;
use chrono::Utc;
use uuid::Uuid;

use super::errors::{bad_request, json_response, no_route, not_found};
use super::fixtures::links::{link_record, LinkState};
use super::flow::{self, Stage, Start};
use super::resources::{Dates, Request, Resource, Resume, Shape, Shapes};
use super::routes::{detail, list, with_body};
use super::store::{Job, Shared};
use super::validate::{access_mode_body, register_body, update_body, View};
use super::Scenario;

/// `/api/links/`, for the list and the detail shared with the resources
/// (links are stored as records of their own id).
pub(super) static LINKS: Resource = Resource {
    path: "/api/links/",
    request: Request {
        dates: Dates::None,
        account: false,
        token: true,
        save_data: false,
        choices: &[],
        flags: &[],
    },
    resume: Resume::WithoutSaveData,
    shapes: Shapes {
        retrieve: Shape::One,
        resume: Shape::One,
        detail: Shape::One,
    },
    records: |_| Vec::new(),
    filters: &[],
};

/// `GET` (list), `POST` (register) and `PATCH` (resume) on `/api/links/`.
pub(super) fn collection() -> MethodRouter<Arc<Shared>> {
    get(list)
        .post(register)
        .patch(resume)
        .fallback(no_route)
        .layer(Extension(&LINKS))
}

/// `GET` (detail), `DELETE`, `PUT` (update credentials) and `PATCH` (change
/// the access mode) on `/api/links/{id}/`.
pub(super) fn item() -> MethodRouter<Arc<Shared>> {
    get(detail)
        .delete(delete)
        .put(update_credentials)
        .patch(change_access_mode)
        .fallback(no_route)
        .layer(Extension(&LINKS))
}

async fn register(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    shared.lock().hits.register += 1;
    with_body(body, |bytes| {
        let body = match register_body(bytes) {
            Ok(body) => body,
            Err(errors) => return bad_request(&errors),
        };
        let scenario = Scenario::from_name(&body.username).unwrap_or(Scenario::NoMfa);
        let now = Utc::now();
        let link = LinkState {
            id: Uuid::new_v4(),
            scenario,
            institution: body.institution,
            access_mode: body.access_mode.unwrap_or_else(|| "recurrent".to_owned()),
            external_id: body.external_id,
            created_at: now,
            last_accessed_at: now,
        };
        let start = Start {
            scenario,
            link: link.id,
            token: body.token.as_deref(),
            save_data: true,
        };
        flow::begin(&shared, &start, Job::Register(link), &View::from_uri(&uri))
    })
}

async fn resume(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    shared.lock().hits.resume += 1;
    with_body(body, |bytes| {
        flow::resume(&shared, bytes, &View::from_uri(&uri), false, |job| {
            !matches!(job, Job::Fetch(_))
        })
    })
}

async fn update_credentials(
    State(shared): State<Arc<Shared>>,
    id: Result<Path<Uuid>, PathRejection>,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    shared.lock().hits.update += 1;
    let Some(target) = existing(&shared, id.as_ref().ok().map(|Path(id)| *id)) else {
        return not_found("Not found.");
    };
    with_body(body, |bytes| match update_body(bytes) {
        Ok(token) => update(&shared, target, token.as_deref(), None, &uri),
        Err(errors) => bad_request(&errors),
    })
}

async fn change_access_mode(
    State(shared): State<Arc<Shared>>,
    id: Result<Path<Uuid>, PathRejection>,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    shared.lock().hits.update += 1;
    let Some(target) = existing(&shared, id.as_ref().ok().map(|Path(id)| *id)) else {
        return not_found("Not found.");
    };
    with_body(body, |bytes| match access_mode_body(bytes) {
        Ok(mode) => update(&shared, target, None, Some(mode), &uri),
        Err(errors) => bad_request(&errors),
    })
}

/// The link `id` and its scenario, if it exists.
fn existing(shared: &Shared, id: Option<Uuid>) -> Option<(Uuid, Scenario)> {
    let id = id?;
    shared.scenario_of(id).map(|scenario| (id, scenario))
}

/// Runs an update of link `id` as its scenario says.
fn update(
    shared: &Shared,
    (id, scenario): (Uuid, Scenario),
    token: Option<&str>,
    access_mode: Option<String>,
    uri: &Uri,
) -> Response {
    let start = Start {
        scenario,
        link: id,
        token,
        save_data: true,
    };
    let job = Job::Update { id, access_mode };
    flow::begin(shared, &start, job, &View::from_uri(uri))
}

/// `DELETE /api/links/{id}/`: the link, every record of it, and its MFA
/// sessions (a resume of one is then `400 session_expired`).
async fn delete(
    State(shared): State<Arc<Shared>>,
    id: Result<Path<Uuid>, PathRejection>,
) -> Response {
    let mut inner = shared.lock();
    inner.hits.delete += 1;
    let removed = id
        .ok()
        .and_then(|Path(id)| inner.links.remove(&id).map(|_| id));
    let Some(id) = removed else {
        return not_found("Not found.");
    };
    for records in inner.store.values_mut() {
        records.retain(|r| r.link != id);
    }
    inner.sessions.retain(|_, s| s.link != id);
    StatusCode::NO_CONTENT.into_response()
}

/// A registration that may go on: the link is stored and answered (`201`
/// at once, `200` from a resume).
pub(super) fn registered(shared: &Shared, link: LinkState, stage: Stage, view: &View) -> Response {
    let body = link_record(&link, shared.config.documented_nulls).body;
    shared.lock().put_link(link, shared.config.documented_nulls);
    let status = match stage {
        Stage::First => StatusCode::CREATED,
        Stage::Resume => StatusCode::OK,
    };
    json_response(status, view.apply(body))
}

/// An update that may go on: link `id`, reached now and in its new access
/// mode, is stored and answered (`200`).
pub(super) fn updated(
    shared: &Shared,
    id: Uuid,
    access_mode: Option<String>,
    view: &View,
) -> Response {
    let mut inner = shared.lock();
    let Some(mut link) = inner.links.get(&id).cloned() else {
        return not_found("Not found.");
    };
    if let Some(mode) = access_mode {
        link.access_mode = mode;
    }
    link.last_accessed_at = Utc::now();
    let body = link_record(&link, shared.config.documented_nulls).body;
    inner.put_link(link, shared.config.documented_nulls);
    drop(inner);
    json_response(StatusCode::OK, view.apply(body))
}
