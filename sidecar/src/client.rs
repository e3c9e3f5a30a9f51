//! The Rust client of the sidecar protocol: one connection (a Unix socket or a QUIC stream) on
//! which any number of batches may be in flight; each call waits for its own answer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::oneshot;
use wsseal_core::ErrorCode;

use crate::protocol::{self, ItemResult, Op, Response};
use crate::tls;

/// Why a call got no answer.
#[derive(Debug)]
pub enum ClientError {
    /// The connection failed.
    Io(std::io::Error),
    /// The connection closed before the answer came.
    Closed,
    /// The sidecar refused the whole frame with this code (docs/errors.md) and message.
    Refused(u32, String),
    /// The answer could not be decoded.
    Protocol(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Io(error) => write!(f, "connection failed: {error}"),
            ClientError::Closed => f.write_str("the connection closed before the answer"),
            ClientError::Refused(code, message) => match ErrorCode::from_value(*code) {
                Some(code) => write!(f, "refused: {code}: {message}"),
                None => write!(f, "refused: {code}: {message}"),
            },
            ClientError::Protocol(message) => write!(f, "protocol error: {message}"),
        }
    }
}

impl std::error::Error for ClientError {}

type Waiting = Arc<Mutex<Option<HashMap<u32, oneshot::Sender<Result<Response, ClientError>>>>>>;

/// A connection to a sidecar.
pub struct Client {
    writer: tokio::sync::Mutex<Box<dyn AsyncWrite + Send + Unpin>>,
    waiting: Waiting,
    next_id: AtomicU32,
    reading: tokio::task::JoinHandle<()>,
    _quic: Option<quinn::Endpoint>,
}

impl Drop for Client {
    fn drop(&mut self) {
        self.reading.abort();
    }
}

impl Client {
    /// Connects to a sidecar's Unix socket.
    pub async fn connect_unix(path: &Path) -> Result<Client, ClientError> {
        let stream = tokio::net::UnixStream::connect(path).await.map_err(ClientError::Io)?;
        let (reader, writer) = stream.into_split();
        Ok(Client::over(reader, writer, None))
    }

    /// Connects to a sidecar over QUIC, presenting `identity` and accepting only the server
    /// certificate with `server_fingerprint` (SHA-256, hex). One bidirectional stream carries the
    /// frames.
    pub async fn connect_quic(
        address: SocketAddr,
        identity: tls::Identity,
        server_fingerprint: &str,
    ) -> Result<Client, ClientError> {
        let config = tls::client_config(identity, server_fingerprint)
            .map_err(|e| ClientError::Protocol(e.message().to_owned()))?;
        let bind: SocketAddr =
            if address.is_ipv4() { ([127, 0, 0, 1], 0).into() } else { "[::1]:0".parse().unwrap_or(address) };
        let mut endpoint = quinn::Endpoint::client(bind).map_err(ClientError::Io)?;
        endpoint.set_default_client_config(config);
        let connecting = endpoint.connect(address, "wsseal").map_err(|e| ClientError::Protocol(e.to_string()))?;
        let connection = connecting.await.map_err(|e| ClientError::Io(std::io::Error::other(e)))?;
        let (send, receive) = connection.open_bi().await.map_err(|e| ClientError::Io(std::io::Error::other(e)))?;
        Ok(Client::over(receive, send, Some(endpoint)))
    }

    /// A client over any byte stream.
    fn over<R, W>(reader: R, writer: W, quic: Option<quinn::Endpoint>) -> Client
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let waiting: Waiting = Arc::new(Mutex::new(Some(HashMap::new())));
        let reading = tokio::spawn(read_answers(reader, waiting.clone()));
        Client {
            writer: tokio::sync::Mutex::new(Box::new(writer)),
            waiting,
            next_id: AtomicU32::new(1),
            reading,
            _quic: quic,
        }
    }

    /// Sends one batch and waits for its answer. `items` are (envelope or certificate, token or
    /// identity or empty). A refusal of the whole frame is [`ClientError::Refused`].
    pub async fn call(&self, op: Op, items: &[(&[u8], &[u8])]) -> Result<Vec<ItemResult>, ClientError> {
        let id = match self.next_id.fetch_add(1, Ordering::Relaxed) {
            0 => self.next_id.fetch_add(1, Ordering::Relaxed),
            id => id,
        };
        let (answer, answered) = oneshot::channel();
        match self.waiting.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            Some(waiting) => waiting.insert(id, answer),
            None => return Err(ClientError::Closed),
        };
        let frame = protocol::encode_request(op, id, items);
        if let Err(error) = self.writer.lock().await.write_all(&frame).await {
            self.forget(id);
            return Err(ClientError::Io(error));
        }
        let response = answered.await.map_err(|_| ClientError::Closed)??;
        if response.status != 0 {
            return Err(ClientError::Refused(response.status, response.message));
        }
        if response.results.len() != items.len() {
            return Err(ClientError::Protocol(format!("{} results for {} items", response.results.len(), items.len())));
        }
        Ok(response.results)
    }

    /// Sends raw bytes, for tests of the server's framing.
    pub async fn send_raw(&self, bytes: &[u8]) -> Result<(), ClientError> {
        self.writer.lock().await.write_all(bytes).await.map_err(ClientError::Io)
    }

    /// A round trip without items.
    pub async fn ping(&self) -> Result<(), ClientError> {
        self.call(Op::Ping, &[]).await.map(|_| ())
    }

    /// Secures one request: the secured envelope and the token for its response.
    pub async fn secure_request(&self, envelope: &[u8]) -> Result<ItemResult, ClientError> {
        self.one(Op::SecureRequest, envelope, b"").await
    }

    /// Opens the response to a request secured with `token`.
    pub async fn open_response(&self, envelope: &[u8], token: &[u8]) -> Result<ItemResult, ClientError> {
        self.one(Op::OpenResponse, envelope, token).await
    }

    /// Opens one request: the verified envelope, the report, and the token for the response.
    pub async fn open_request(&self, envelope: &[u8]) -> Result<ItemResult, ClientError> {
        self.one(Op::OpenRequest, envelope, b"").await
    }

    /// Secures the response to a request opened with `token`.
    pub async fn secure_response(&self, envelope: &[u8], token: &[u8]) -> Result<ItemResult, ClientError> {
        self.one(Op::SecureResponse, envelope, token).await
    }

    async fn one(&self, op: Op, first: &[u8], second: &[u8]) -> Result<ItemResult, ClientError> {
        let mut results = self.call(op, &[(first, second)]).await?;
        results.pop().ok_or(ClientError::Closed)
    }

    fn forget(&self, id: u32) {
        if let Some(waiting) = self.waiting.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            waiting.remove(&id);
        }
    }
}

/// Delivers each answer to its caller. An answer for no caller (a refusal of a frame the server
/// could not read the id of) fails every caller waiting. When the stream ends, every caller
/// still waiting gets [`ClientError::Closed`].
async fn read_answers<R: AsyncRead + Unpin>(mut reader: R, waiting: Waiting) {
    while let Ok(Some(payload)) = protocol::read_frame(&mut reader, protocol::MAX_RESPONSE).await {
        let response = Response::decode(&payload);
        let mut guard = waiting.lock().unwrap_or_else(|e| e.into_inner());
        let Some(map) = guard.as_mut() else { return };
        match response {
            Ok(response) => match map.remove(&response.id) {
                Some(caller) => {
                    let _ = caller.send(Ok(response));
                }
                None => {
                    for (_, caller) in map.drain() {
                        let _ = caller.send(Err(ClientError::Refused(response.status, response.message.clone())));
                    }
                }
            },
            Err(message) => {
                for (_, caller) in map.drain() {
                    let _ = caller.send(Err(ClientError::Protocol(message.clone())));
                }
            }
        }
    }
    waiting.lock().unwrap_or_else(|e| e.into_inner()).take();
}
