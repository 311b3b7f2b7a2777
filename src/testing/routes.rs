//! The HTTP surface: an axum [`Router`] with, for every resource served
//! (`RESOURCES`), list / retrieve / resume on its path and detail / delete on
//! `{path}{id}/`, and the links (`links.rs`), behind the Basic-auth
//! middleware. Anything else is a Belvo `404 not_found`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{middleware, Extension, Router};
use serde_json::{json, Value};
use uuid::Uuid;

use super::auth::require_basic_auth;
use super::errors::{bad_request, json_response, no_route, not_found, ApiError};
use super::flow::{self, shaped};
use super::links::{self, LINKS};
use super::resources::{Resource, Resume};
use super::store::{Job, Shared};
use super::validate::{parse_uuid, query_map, View};

/// The largest request body read.
const BODY_LIMIT: usize = 1 << 20;

/// The whole server.
pub(super) fn router(shared: Arc<Shared>) -> Router {
    let resources = shared.resources;
    resources
        .iter()
        .fold(Router::new(), |router, resource| {
            router
                .route(resource.path, collection(resource))
                .route(&format!("{}{{id}}/", resource.path), item(resource))
        })
        .route(LINKS.path, links::collection())
        .route(&format!("{}{{id}}/", LINKS.path), links::item())
        .fallback(no_route)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(require_json))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            require_basic_auth,
        ))
        .with_state(shared)
}

/// A body sent with a `Content-Type` other than JSON (`text/plain`, a
/// form) is refused as Belvo's framework (Django REST framework) refuses
/// it: `415` with its `detail`, before the body is read, after the
/// credentials are checked. A body with no `Content-Type` is read as JSON.
async fn require_json(request: axum::extract::Request, next: middleware::Next) -> Response {
    let sends_body = matches!(request.method().as_str(), "POST" | "PUT" | "PATCH");
    let header = request.headers().get(axum::http::header::CONTENT_TYPE);
    let media = header.map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let essence = |m: &str| {
        m.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    };
    match media {
        Some(m) if sends_body && essence(&m) != "application/json" => {
            let detail = format!("Unsupported media type \"{m}\" in request.");
            json_response(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({ "detail": detail }),
            )
        }
        _ => next.run(request).await,
    }
}

/// `GET` (list), `POST` (retrieve) and, if it has one, `PATCH` (resume) on
/// the path of `resource`.
fn collection(resource: &'static Resource) -> MethodRouter<Arc<Shared>> {
    let methods = get(list).post(retrieve);
    let methods = if resource.resume == Resume::None {
        methods
    } else {
        methods.patch(resume)
    };
    methods.fallback(no_route).layer(Extension(resource))
}

/// `GET` (detail) and `DELETE` on `{path}{id}/` of `resource`.
fn item(resource: &'static Resource) -> MethodRouter<Arc<Shared>> {
    get(detail)
        .delete(delete)
        .fallback(no_route)
        .layer(Extension(resource))
}

/// `answer` applied to the whole body, or Belvo's `400` when it cannot be read.
pub(super) fn with_body(
    body: Result<Bytes, BytesRejection>,
    answer: impl FnOnce(&[u8]) -> Response,
) -> Response {
    match body {
        Ok(bytes) => answer(&bytes),
        Err(e) => bad_request(&[ApiError::new(
            "invalid",
            format!("Could not read the request body: {e}"),
        )]),
    }
}

async fn retrieve(
    State(shared): State<Arc<Shared>>,
    Extension(resource): Extension<&'static Resource>,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    shared.lock().hits.retrieve += 1;
    with_body(body, |bytes| {
        flow::retrieve(&shared, resource, bytes, &View::from_uri(&uri))
    })
}

async fn resume(
    State(shared): State<Arc<Shared>>,
    Extension(resource): Extension<&'static Resource>,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    shared.lock().hits.resume += 1;
    let takes_save_data = resource.resume == Resume::WithSaveData;
    with_body(body, |bytes| {
        flow::resume(
            &shared,
            bytes,
            &View::from_uri(&uri),
            takes_save_data,
            |job| matches!(job, Job::Fetch(f) if f.resource.path == resource.path),
        )
    })
}

/// The query parameters every list takes here, besides its filters
/// ([`Resource::filters`]). Belvo's other filters (`external_id`, dates,
/// amounts …), and a filter the list does not have, are refused, not
/// ignored: a test that sent one would get every record and pass for the
/// wrong reason.
const LIST_PARAMETERS: [&str; 4] = ["page", "page_size", "fields", "omit"];

/// The list: `page`, `page_size` (1..=1000, default 100), its filters
/// (`link`, `account`), `fields` / `omit`, and absolute `next` / `previous`.
pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(resource): Extension<&'static Resource>,
    uri: Uri,
) -> Response {
    shared.lock().hits.list += 1;
    let Some(query) = query_map(&uri) else {
        return bad_request(&[ApiError::new(
            "invalid",
            "The query string could not be parsed.",
        )]);
    };
    let takes = |k: &str| LIST_PARAMETERS.contains(&k) || resource.filters.contains(&k);
    let mut unknown: Vec<&String> = query.keys().filter(|k| !takes(k)).collect();
    if !unknown.is_empty() {
        unknown.sort();
        let filters = match resource.filters {
            [] => "no filter".to_owned(),
            some => format!("only {}", some.join(" and ")),
        };
        let errors = unknown.into_iter().map(|name| {
            ApiError::new(
                "unsupported_filter",
                format!(
                    "The sandbox does not implement the filter `{name}` on {} ({filters}): \
                     it would answer every record",
                    resource.path
                ),
            )
        });
        return bad_request(&errors.collect::<Vec<_>>());
    }
    let param = |name: &str| query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let Some(page) = param("page").map_or(Some(1), |p| p.parse::<usize>().ok().filter(|&p| p >= 1))
    else {
        return not_found("Invalid page.");
    };
    let Some(page_size) = param("page_size").map_or(Some(100), |p| {
        p.parse::<usize>().ok().filter(|s| (1..=1000).contains(s))
    }) else {
        return bad_request(&[ApiError::field(
            "invalid",
            "page_size",
            "page_size must be an integer between 1 and 1000.",
        )]);
    };
    let mut errors = Vec::new();
    let mut filter =
        |name: &'static str| param(name).and_then(|v| parse_uuid(v, name, &mut errors));
    let link = filter("link");
    let account = filter("account");
    if !errors.is_empty() {
        return bad_request(&errors);
    }
    let start = (page - 1).saturating_mul(page_size);
    let (count, results) = {
        let mut inner = shared.lock();
        let mut matching = inner.records(resource).iter().filter(|r| {
            link.is_none_or(|l| r.link == l) && account.is_none_or(|a| r.account == Some(a))
        });
        let count = matching.clone().count();
        let results: Vec<Value> = matching
            .by_ref()
            .skip(start)
            .take(page_size)
            .map(|r| r.body.clone())
            .collect();
        (count, results)
    };
    if page > 1 && start >= count {
        return not_found("Invalid page.");
    }
    let view = View::from_query(&query);
    let filters: String = [("link", link), ("account", account)]
        .into_iter()
        .filter_map(|(name, id)| id.map(|id| format!("&{name}={id}")))
        .collect();
    let page_url = |n: usize| {
        Value::String(format!(
            "{}{}?page={n}&page_size={page_size}{filters}",
            shared.base_url, resource.path
        ))
    };
    let next = if start.saturating_add(page_size) < count {
        page_url(page + 1)
    } else {
        Value::Null
    };
    let previous = if page > 1 {
        page_url(page - 1)
    } else {
        Value::Null
    };
    json_response(
        StatusCode::OK,
        json!({
            "count": count,
            "next": next,
            "previous": previous,
            "results": results.into_iter().map(|r| view.apply(r)).collect::<Vec<_>>(),
        }),
    )
}

/// `GET {path}{id}/`; an id that is not a uuid answers 404, like an unknown one.
pub(super) async fn detail(
    State(shared): State<Arc<Shared>>,
    Extension(resource): Extension<&'static Resource>,
    id: Result<Path<Uuid>, PathRejection>,
    uri: Uri,
) -> Response {
    let found = {
        let mut inner = shared.lock();
        inner.hits.detail += 1;
        id.ok().and_then(|Path(id)| {
            inner
                .records(resource)
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.body.clone())
        })
    };
    match found {
        Some(body) => {
            let body = View::from_uri(&uri).apply(body);
            json_response(
                StatusCode::OK,
                shaped(resource.shapes.detail, [body].into_iter()),
            )
        }
        None => not_found("Not found."),
    }
}

/// `DELETE {path}{id}/`.
async fn delete(
    State(shared): State<Arc<Shared>>,
    Extension(resource): Extension<&'static Resource>,
    id: Result<Path<Uuid>, PathRejection>,
) -> Response {
    let removed = {
        let mut inner = shared.lock();
        inner.hits.delete += 1;
        let records = inner.records(resource);
        let position = id
            .ok()
            .and_then(|Path(id)| records.iter().position(|r| r.id == id));
        position.map(|i| records.remove(i)).is_some()
    };
    if removed {
        StatusCode::NO_CONTENT.into_response()
    } else {
        not_found("Not found.")
    }
}
