//! The loopback HTTP port: `/healthz` (the process answers), `/readyz` (it takes work: listening
//! and not draining) and `/metrics` (Prometheus text format), served with hyper.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::Shared;

/// Serves HTTP until the runtime stops (it keeps answering, `/readyz` with 503, while draining).
pub async fn serve(shared: Arc<Shared>, listener: TcpListener, draining: watch::Receiver<bool>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let (shared, draining) = (shared.clone(), draining.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let response = respond(&shared, &draining, &request);
                async move { Ok::<_, Infallible>(response) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn respond(shared: &Shared, draining: &watch::Receiver<bool>, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let text = |status: StatusCode, body: String| {
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        response
    };
    match request.uri().path() {
        "/healthz" => text(StatusCode::OK, "ok\n".into()),
        "/readyz" if *draining.borrow() => text(StatusCode::SERVICE_UNAVAILABLE, "draining\n".into()),
        "/readyz" => text(StatusCode::OK, "ready\n".into()),
        "/metrics" => {
            let mut response = text(StatusCode::OK, shared.metrics.render(&shared.admission, &shared.engine.load()));
            response.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            response
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n".into()),
    }
}
