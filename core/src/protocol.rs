//! The sidecar protocol, version 1 (docs/protocol.md): length-prefixed binary frames. A request
//! carries an operation and a batch of items; its response carries one result per item, in order.
//! Requests are matched to responses by a client-chosen id, so several may be in flight on one
//! connection. This module only encodes and decodes bytes (and reads frames from a blocking
//! stream); the sidecar's server, its async client and the C ABI's blocking client share it.

use std::io::Read;
use std::ops::Range;

use crate::ErrorCode;

/// The protocol version this module speaks.
pub const VERSION: u8 = 1;
/// Bytes of the length prefix of every frame.
pub const PREFIX_LEN: usize = 4;
/// Bytes of a request header: version, operation, flags, id, item count.
pub const REQUEST_HEADER_LEN: usize = 12;
/// The default largest frame (without its prefix) a sidecar accepts.
pub const DEFAULT_MAX_FRAME: usize = 16 * 1024 * 1024;
/// The largest answer (without its prefix) a client reads.
pub const MAX_RESPONSE: usize = 1 << 30;

/// An operation of the protocol, by its wire value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Op {
    /// A client secures a request; the result carries the token for `OpenResponse`.
    SecureRequest = 1,
    /// A client opens the response to its request, with the token `SecureRequest` gave.
    OpenResponse = 2,
    /// A service opens a request; the result carries the token for `SecureResponse`.
    OpenRequest = 3,
    /// A service secures its response, with the token `OpenRequest` gave.
    SecureResponse = 4,
    /// Checks a certificate (DER) against an identity (XML).
    CheckIdentity = 5,
    /// No items; answers at once. For liveness and round-trip measurements.
    Ping = 6,
}

impl Op {
    /// Every operation, in wire order.
    pub const ALL: [Op; 6] =
        [Op::SecureRequest, Op::OpenResponse, Op::OpenRequest, Op::SecureResponse, Op::CheckIdentity, Op::Ping];

    /// The operation with this wire value.
    pub fn from_wire(value: u8) -> Option<Op> {
        Op::ALL.get(usize::from(value).wrapping_sub(1)).copied()
    }

    /// A stable lower-case name, as in metrics and logs.
    pub fn name(self) -> &'static str {
        match self.engine_operation() {
            Some(operation) => operation.name(),
            None if self == Op::CheckIdentity => "check_identity",
            None => "ping",
        }
    }

    /// The engine operation this is, for the four envelope operations.
    pub fn engine_operation(self) -> Option<crate::Operation> {
        use crate::Operation;
        match self {
            Op::SecureRequest => Some(Operation::SecureRequest),
            Op::OpenResponse => Some(Operation::OpenResponse),
            Op::OpenRequest => Some(Operation::OpenRequest),
            Op::SecureResponse => Some(Operation::SecureResponse),
            Op::CheckIdentity | Op::Ping => None,
        }
    }
}

impl From<crate::Operation> for Op {
    fn from(operation: crate::Operation) -> Op {
        use crate::Operation;
        match operation {
            Operation::SecureRequest => Op::SecureRequest,
            Operation::OpenResponse => Op::OpenResponse,
            Operation::OpenRequest => Op::OpenRequest,
            Operation::SecureResponse => Op::SecureResponse,
        }
    }
}

/// A request frame, decoded: its items are ranges of the payload it keeps.
#[derive(Debug)]
pub struct Request {
    /// The operation.
    pub op: Op,
    /// The client's id for this request, echoed in the response.
    pub id: u32,
    payload: Vec<u8>,
    items: Vec<(Range<usize>, Range<usize>)>,
}

/// Why a request frame was refused as a whole, with what could be read of its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// The operation byte as sent (0 when the header is short).
    pub op: u8,
    /// The request id (0 when the header is short).
    pub id: u32,
    /// The stable code.
    pub code: ErrorCode,
    /// What was wrong.
    pub message: String,
}

impl Request {
    /// Decodes a request payload (the frame without its length prefix). `max_items` bounds the
    /// batch; each item is two length-prefixed byte strings.
    pub fn decode(payload: Vec<u8>, max_items: usize) -> Result<Request, FrameError> {
        let (op_byte, id) = match payload.get(..REQUEST_HEADER_LEN) {
            Some(header) => (header[1], u32::from_be_bytes([header[4], header[5], header[6], header[7]])),
            None => (payload.get(1).copied().unwrap_or(0), 0),
        };
        let fail = |code, message: String| FrameError { op: op_byte, id, code, message };
        if payload.len() < REQUEST_HEADER_LEN {
            return Err(fail(
                ErrorCode::FrameMalformed,
                format!("the frame has {} bytes, fewer than the {REQUEST_HEADER_LEN}-byte header", payload.len()),
            ));
        }
        if payload[0] != VERSION {
            return Err(fail(
                ErrorCode::VersionUnsupported,
                format!("protocol version {} is not supported; this sidecar speaks {VERSION}", payload[0]),
            ));
        }
        let op = Op::from_wire(op_byte)
            .ok_or_else(|| fail(ErrorCode::OperationUnknown, format!("operation {op_byte} does not exist")))?;
        if payload[2..4] != [0, 0] {
            return Err(fail(ErrorCode::FrameMalformed, "the reserved flags are not zero".into()));
        }
        let count = u32::from_be_bytes([payload[8], payload[9], payload[10], payload[11]]) as usize;
        if count > max_items {
            return Err(fail(ErrorCode::BatchTooLarge, format!("the batch has {count} items, above {max_items}")));
        }
        if op == Op::Ping && count != 0 {
            return Err(fail(ErrorCode::FrameMalformed, "a ping carries no items".into()));
        }
        let mut reader = Reader { bytes: &payload, at: REQUEST_HEADER_LEN };
        // Each item takes at least 8 bytes, so a count the payload cannot hold is refused before
        // anything is reserved for it.
        if count > (payload.len() - REQUEST_HEADER_LEN) / 8 {
            return Err(fail(ErrorCode::FrameMalformed, format!("the frame is too short for {count} items")));
        }
        let mut items = Vec::with_capacity(count);
        for index in 0..count {
            let item = reader
                .string()
                .and_then(|a| Some((a, reader.string()?)))
                .ok_or_else(|| fail(ErrorCode::FrameMalformed, format!("item {index} is truncated")))?;
            items.push(item);
        }
        if reader.at != payload.len() {
            return Err(fail(
                ErrorCode::FrameMalformed,
                format!("{} bytes follow the last item", payload.len() - reader.at),
            ));
        }
        Ok(Request { op, id, payload, items })
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Item `index`: its first field (an envelope, or a certificate) and its second (a token, an
    /// identity, or empty).
    pub fn item(&self, index: usize) -> (&[u8], &[u8]) {
        let (a, b) = &self.items[index];
        (&self.payload[a.clone()], &self.payload[b.clone()])
    }
}

/// Reads length-prefixed strings from a payload, as ranges.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn u32(&mut self) -> Option<u32> {
        let value = self.bytes.get(self.at..self.at + 4)?;
        self.at += 4;
        Some(u32::from_be_bytes(value.try_into().ok()?))
    }

    fn string(&mut self) -> Option<Range<usize>> {
        let length = self.u32()? as usize;
        let start = self.at;
        let end = start.checked_add(length).filter(|&end| end <= self.bytes.len())?;
        self.at = end;
        Some(start..end)
    }

    fn bytes(&mut self) -> Option<Vec<u8>> {
        self.string().map(|range| self.bytes[range].to_vec())
    }
}

/// Encodes a request frame, length prefix included. `items` are (first field, second field).
pub fn encode_request(op: Op, id: u32, items: &[(&[u8], &[u8])]) -> Vec<u8> {
    let size: usize = REQUEST_HEADER_LEN + items.iter().map(|(a, b)| 8 + a.len() + b.len()).sum::<usize>();
    let mut out = Vec::with_capacity(PREFIX_LEN + size);
    out.extend_from_slice(&(size as u32).to_be_bytes());
    out.extend_from_slice(&[VERSION, op as u8, 0, 0]);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&(items.len() as u32).to_be_bytes());
    for (a, b) in items {
        put_string(&mut out, a);
        put_string(&mut out, b);
    }
    out
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The result of one item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemResult {
    /// 0 for success, else a stable error code (docs/errors.md).
    pub code: u32,
    /// The output envelope on success.
    pub envelope: Vec<u8>,
    /// The exchange token on success of `SecureRequest` and `OpenRequest`.
    pub token: Vec<u8>,
    /// On success the report as JSON (opening operations) or nothing; on failure the message.
    pub detail: Vec<u8>,
}

impl ItemResult {
    /// A failed item.
    pub fn error(code: ErrorCode, message: &str) -> Self {
        Self { code: code.value(), detail: message.as_bytes().to_vec(), ..Self::default() }
    }

    /// The error code, if the item failed (an unknown value maps to `None` as well as success
    /// does; check `code` for that).
    pub fn error_code(&self) -> Option<ErrorCode> {
        ErrorCode::from_value(self.code)
    }

    /// Whether the item succeeded.
    pub fn is_ok(&self) -> bool {
        self.code == 0
    }
}

/// A response frame, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The operation byte of the request (0 when it could not be read).
    pub op: u8,
    /// The request's id (0 when it could not be read).
    pub id: u32,
    /// 0, or the code that refused the whole frame (then `results` is empty).
    pub status: u32,
    /// Why the frame was refused; empty on success.
    pub message: String,
    /// One result per item, in the request's order.
    pub results: Vec<ItemResult>,
}

impl Response {
    /// A response refusing a whole frame.
    pub fn refusal(error: &FrameError) -> Response {
        Response {
            op: error.op,
            id: error.id,
            status: error.code.value(),
            message: error.message.clone(),
            results: Vec::new(),
        }
    }

    /// Encodes the response frame, length prefix included.
    pub fn encode(&self) -> Vec<u8> {
        let size = 20
            + self.message.len()
            + self.results.iter().map(|r| 16 + r.envelope.len() + r.token.len() + r.detail.len()).sum::<usize>();
        let mut out = Vec::with_capacity(PREFIX_LEN + size);
        out.extend_from_slice(&(size as u32).to_be_bytes());
        out.extend_from_slice(&[VERSION, self.op, 0, 0]);
        out.extend_from_slice(&self.id.to_be_bytes());
        out.extend_from_slice(&self.status.to_be_bytes());
        put_string(&mut out, self.message.as_bytes());
        out.extend_from_slice(&(self.results.len() as u32).to_be_bytes());
        for result in &self.results {
            out.extend_from_slice(&result.code.to_be_bytes());
            put_string(&mut out, &result.envelope);
            put_string(&mut out, &result.token);
            put_string(&mut out, &result.detail);
        }
        out
    }

    /// Decodes a response payload (the frame without its length prefix).
    pub fn decode(payload: &[u8]) -> Result<Response, String> {
        let mut reader = Reader { bytes: payload, at: 4 };
        let header = payload.get(..4).ok_or("the response is shorter than its header")?;
        if header[0] != VERSION {
            return Err(format!("the response has protocol version {}", header[0]));
        }
        if header[2..4] != [0, 0] {
            return Err("the response's reserved flags are not zero".into());
        }
        let truncated = || "the response is truncated".to_owned();
        let id = reader.u32().ok_or_else(truncated)?;
        let status = reader.u32().ok_or_else(truncated)?;
        let message = reader.bytes().ok_or_else(truncated)?;
        let message = String::from_utf8(message).map_err(|_| "the response message is not UTF-8")?;
        let count = reader.u32().ok_or_else(truncated)? as usize;
        let mut results = Vec::with_capacity(count.min(payload.len() / 16));
        for _ in 0..count {
            let code = reader.u32().ok_or_else(truncated)?;
            let envelope = reader.bytes().ok_or_else(truncated)?;
            let token = reader.bytes().ok_or_else(truncated)?;
            let detail = reader.bytes().ok_or_else(truncated)?;
            results.push(ItemResult { code, envelope, token, detail });
        }
        if reader.at != payload.len() {
            return Err("bytes follow the last result".into());
        }
        Ok(Response { op: header[1], id, status, message, results })
    }
}

/// Why a frame could not be read from a stream.
#[derive(Debug)]
pub enum ReadError {
    /// The length prefix is above the limit; the stream cannot be resynchronised.
    TooLarge(usize),
    /// The stream ended inside a frame.
    Truncated,
    /// The stream failed.
    Io(std::io::Error),
}

/// The payload length a frame's prefix announces, refused above `max`.
pub fn frame_length(prefix: [u8; PREFIX_LEN], max: usize) -> Result<usize, ReadError> {
    let length = u32::from_be_bytes(prefix) as usize;
    if length > max {
        return Err(ReadError::TooLarge(length));
    }
    Ok(length)
}

/// Reads a whole frame's payload from a blocking stream: `None` at a clean end of stream.
pub fn read_frame(reader: &mut impl Read, max: usize) -> Result<Option<Vec<u8>>, ReadError> {
    let mut prefix = [0u8; PREFIX_LEN];
    let mut filled = 0;
    while filled < PREFIX_LEN {
        match reader.read(&mut prefix[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(ReadError::Truncated),
            Ok(n) => filled += n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(ReadError::Io(error)),
        }
    }
    let mut payload = vec![0u8; frame_length(prefix, max)?];
    reader.read_exact(&mut payload).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => ReadError::Truncated,
        _ => ReadError::Io(e),
    })?;
    Ok(Some(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(frame: Vec<u8>) -> Vec<u8> {
        frame[PREFIX_LEN..].to_vec()
    }

    #[test]
    fn requests_round_trip() {
        let frame = encode_request(Op::OpenResponse, 7, &[(b"<e/>", b"tok"), (b"", b"")]);
        let request = Request::decode(payload(frame), 10).unwrap();
        assert_eq!((request.op, request.id, request.len()), (Op::OpenResponse, 7, 2));
        assert_eq!(request.item(0), (&b"<e/>"[..], &b"tok"[..]));
        assert_eq!(request.item(1), (&b""[..], &b""[..]));
    }

    #[test]
    fn responses_round_trip() {
        let response = Response {
            op: 3,
            id: 9,
            status: 0,
            message: String::new(),
            results: vec![
                ItemResult { code: 0, envelope: b"<e/>".to_vec(), token: b"t".to_vec(), detail: b"{}".to_vec() },
                ItemResult::error(ErrorCode::Busy, "full"),
            ],
        };
        assert_eq!(Response::decode(&payload(response.encode())).unwrap(), response);
    }

    #[test]
    fn bad_requests_are_refused_with_their_code() {
        let good = payload(encode_request(Op::OpenRequest, 5, &[(b"<e/>", b"")]));
        let code = |bytes: Vec<u8>| Request::decode(bytes, 4).unwrap_err().code;
        assert_eq!(code(good[..good.len() - 1].to_vec()), ErrorCode::FrameMalformed);
        assert_eq!(code(good[..5].to_vec()), ErrorCode::FrameMalformed);
        assert_eq!(code([&good[..], b"x"].concat()), ErrorCode::FrameMalformed);
        let mut version = good.clone();
        version[0] = 2;
        assert_eq!(code(version), ErrorCode::VersionUnsupported);
        let mut op = good.clone();
        op[1] = 0;
        assert_eq!(code(op.clone()), ErrorCode::OperationUnknown);
        op[1] = 7;
        assert_eq!(code(op), ErrorCode::OperationUnknown);
        let mut flags = good.clone();
        flags[3] = 1;
        assert_eq!(code(flags), ErrorCode::FrameMalformed);
        let mut huge_count = good.clone();
        huge_count[8..12].copy_from_slice(&3u32.to_be_bytes());
        assert_eq!(code(huge_count), ErrorCode::FrameMalformed);
        let empty: (&[u8], &[u8]) = (b"", b"");
        let five = payload(encode_request(Op::OpenRequest, 5, &[empty; 5]));
        assert_eq!(code(five), ErrorCode::BatchTooLarge);
        let mut long_item = good.clone();
        long_item[12..16].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(code(long_item), ErrorCode::FrameMalformed);
        let error = Request::decode(good[..13].to_vec(), 4).unwrap_err();
        assert_eq!((error.op, error.id), (Op::OpenRequest as u8, 5));
    }

    #[test]
    fn every_operation_has_its_wire_value() {
        for (index, op) in Op::ALL.iter().enumerate() {
            assert_eq!(Op::from_wire(index as u8 + 1), Some(*op));
        }
        assert_eq!(Op::from_wire(0), None);
        assert_eq!(Op::from_wire(7), None);
        for op in Op::ALL {
            assert_eq!(op.engine_operation().map(Op::from), op.engine_operation().map(|_| op));
        }
    }
}
