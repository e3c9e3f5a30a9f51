//! The loopback HTTP port: `/healthz` (the process answers), `/readyz` (it takes work: listening
//! and not draining) and `/metrics` (Prometheus text format), served with hyper.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::Shared;
use super::lifecycle::{Phase, Watch};

/// Serves HTTP until the runtime stops (it keeps answering, `/readyz` with 503, while draining).
pub async fn serve(shared: Arc<Shared>, listener: TcpListener, lifecycle: Watch) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let (shared, lifecycle) = (shared.clone(), lifecycle.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let response = respond(&shared, &lifecycle, &request);
                async move { Ok::<_, Infallible>(response) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn respond(shared: &Shared, lifecycle: &Watch, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let text = |status: StatusCode, body: String| {
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        response
    };
    match request.uri().path() {
        "/healthz" => text(StatusCode::OK, "ok\n".into()),
        "/readyz" if lifecycle.phase() != Phase::Serving => text(StatusCode::SERVICE_UNAVAILABLE, "draining\n".into()),
        "/readyz" => text(StatusCode::OK, "ready\n".into()),
        "/metrics" => {
            let mut response = text(
                StatusCode::OK,
                shared.metrics.render(&shared.admission, &shared.engine.load(), &shared.keys.load()),
            );
            response.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            response
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n".into()),
    }
}
