//! Server-sent events: how open pages learn that the site changed or has errors.

use super::http::{secure, App};
use super::state::Notice;
use axum::extract::State;
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// `GET /_casebook/events`: `hello` (the server instance), then `reload` (site paths, `*` for
/// all) and `error` (the diagnostics) as the builder publishes.
pub(super) async fn events(State(app): State<App>) -> Response {
    // Every event carries the generation of the site as its id: a page that reconnects after
    // missing some (it closes the stream while hidden) sees another id in `hello` and reloads.
    let rx = app.notices.subscribe();
    let snapshot = Arc::clone(&app.state.borrow());
    let id = snapshot.generation.to_string();
    let mut first = vec![sse::Event::default().event("hello").id(&id).data(&*app.instance)];
    if let Some(errors) = &snapshot.errors {
        first.push(sse::Event::default().event("error").id(&id).data(&**errors));
    }
    drop(snapshot);
    let stream = futures_util::stream::unfold(
        (first.into_iter(), rx, app.shutdown.clone()),
        |(mut first, mut rx, mut shutdown)| async move {
            if let Some(e) = first.next() {
                return Some((Ok::<_, Infallible>(e), (first, rx, shutdown)));
            }
            if *shutdown.borrow() {
                return None;
            }
            let event = tokio::select! {
                _ = shutdown.changed() => return None,
                notice = rx.recv() => match notice {
                    Ok(Notice::Reload { generation, paths }) => {
                        sse::Event::default().event("reload").id(generation.to_string()).data(&*paths)
                    }
                    Ok(Notice::Errors { generation, text }) => {
                        sse::Event::default().event("error").id(generation.to_string()).data(&*text)
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => sse::Event::default().event("reload").data("*"),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            };
            Some((Ok(event), (first, rx, shutdown)))
        },
    );
    secure(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response())
}
