//! `/api/search`: the search of `casebook search --json` over HTTP, answered from the served
//! site's index. A bad query is the client's error (400), anything else the server's (500),
//! as [`Error::is_client_error`](crate::Error::is_client_error) says.

use super::http::{json_error, secure, App};
use crate::config::Language;
use crate::search;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Longest accepted `q` of `/api/search`, in bytes, and longest query string.
pub const MAX_QUERY: usize = 512;
const MAX_QUERY_STRING: usize = 4096;
/// Most hits `/api/search` returns.
pub const MAX_LIMIT: usize = 100;

/// `GET /api/search?q=…&SINGULAR=…&place=…&level=…&year=…&limit=…&lang=…`: any parameter but `q`,
/// `limit` and `lang` is a filter named by a vocabulary's singular or name (`force=ID`,
/// `forces=ID`), `place`, `level` or `year` (repeat one for OR). `lang` is the reader's language, as
/// `--lang` is: its text ranks first, and snippets and URLs come from its pages. Answers the JSON of
/// `casebook search --json`; errors are `{"error": "…"}` with status 400 (the request) or 500.
pub(super) async fn api_search(State(app): State<App>, RawQuery(raw): RawQuery) -> Response {
    let raw = raw.unwrap_or_default();
    if raw.len() > MAX_QUERY_STRING {
        return json_error(
            StatusCode::BAD_REQUEST,
            &format!("the query string is longer than {MAX_QUERY_STRING} bytes"),
        );
    }
    let mut query = search::Query::new("");
    let mut words: Vec<String> = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        match &*key {
            "q" => words.push(value.into_owned()),
            "limit" => match value.trim().parse::<usize>() {
                Ok(n) => query.limit = n.min(MAX_LIMIT),
                Err(_) => {
                    return json_error(
                        StatusCode::BAD_REQUEST,
                        &format!("limit must be a number from 0 to {MAX_LIMIT}"),
                    )
                }
            },
            "lang" => match Language::from_tag(value.trim()) {
                Some(lang) => query.lang = Some(lang),
                None => {
                    let tags: Vec<&str> = Language::ALL.iter().map(|l| l.tag()).collect();
                    return json_error(StatusCode::BAD_REQUEST, &format!("lang must be one of: {}", tags.join(", ")));
                }
            },
            _ => query.filters.push((key.into_owned(), value.into_owned())),
        }
    }
    query.text = words.join(" ");
    if query.text.len() > MAX_QUERY {
        return json_error(StatusCode::BAD_REQUEST, &format!("the query is longer than {MAX_QUERY} bytes"));
    }
    let snapshot = Arc::clone(&app.state.borrow());
    let Some(searcher) = snapshot.site.as_ref().and_then(|s| s.searcher.clone()) else {
        return json_error(StatusCode::SERVICE_UNAVAILABLE, "the search index is not ready");
    };
    drop(snapshot);
    let Ok(_turn) = app.searches.acquire().await else {
        return json_error(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping");
    };
    match tokio::task::spawn_blocking(move || searcher.search(&query)).await {
        Ok(Ok(results)) => secure(
            (
                [(header::CONTENT_TYPE, "application/json; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
                search::render_json(&results) + "\n",
            )
                .into_response(),
        ),
        Ok(Err(e)) if e.is_client_error() => json_error(StatusCode::BAD_REQUEST, &e.to_string()),
        Ok(Err(e)) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(_) => json_error(StatusCode::INTERNAL_SERVER_ERROR, "the search failed"),
    }
}
