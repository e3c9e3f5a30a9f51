"""A client of the wsseal sidecar protocol, version 1 (docs/protocol.md), standard library only.

    with SidecarClient("/run/wsseal/wsseal.sock") as sidecar:
        secured = sidecar.secure_request(envelope)          # -> Result(envelope, token, detail)
        ...
        opened = sidecar.open_response(response, secured.token)

Each call sends one batch and waits for its answer (one call at a time per client; use one client
per thread). A failed item raises ItemError with its stable code (docs/errors.md).
"""

import socket
import struct

VERSION = 1
SECURE_REQUEST, OPEN_RESPONSE, OPEN_REQUEST, SECURE_RESPONSE, CHECK_IDENTITY, PING = range(1, 7)


class ProtocolError(Exception):
    """The sidecar refused the whole frame, or answered something unreadable."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ItemError(Exception):
    """One item failed: `code` is the stable error code, `message` the local diagnostic."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Result:
    """The result of one item: code (0 for success), envelope, token, detail."""

    def __init__(self, code, envelope, token, detail):
        self.code, self.envelope, self.token, self.detail = code, envelope, token, detail

    @property
    def ok(self):
        return self.code == 0


def encode_request(operation, request_id, items):
    """A request frame, length prefix included; items are (first, second) byte strings."""
    body = [struct.pack(">BBHII", VERSION, operation, 0, request_id, len(items))]
    for first, second in items:
        body += [struct.pack(">I", len(first)), first, struct.pack(">I", len(second)), second]
    payload = b"".join(body)
    return struct.pack(">I", len(payload)) + payload


def decode_response(payload):
    """(operation, id, status, message, [Result]) of a response payload."""
    at = 0

    def take(size):
        nonlocal at
        if at + size > len(payload):
            raise ProtocolError(-1, "truncated response")
        chunk = payload[at:at + size]
        at += size
        return chunk

    def u32():
        return struct.unpack(">I", take(4))[0]

    def string():
        return take(u32())

    version, operation, _flags = struct.unpack(">BBH", take(4))
    if version != VERSION:
        raise ProtocolError(-1, f"response version {version}")
    request_id, status = u32(), u32()
    message = string().decode("utf-8")
    results = []
    for _ in range(u32()):
        code = u32()
        results.append(Result(code, string(), string(), string()))
    if at != len(payload):
        raise ProtocolError(-1, "bytes after the last result")
    return operation, request_id, status, message, results


class SidecarClient:
    """One connection to a sidecar's Unix socket."""

    def __init__(self, path, timeout=60.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.next_id = 1

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read_exactly(self, size):
        chunks = []
        while size:
            chunk = self.sock.recv(size)
            if not chunk:
                raise ProtocolError(-1, "the sidecar closed the connection")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def call(self, operation, items):
        """Sends one batch; returns one Result per item, in order."""
        request_id = self.next_id
        self.next_id = self.next_id % 0xFFFFFFFF + 1
        self.sock.sendall(encode_request(operation, request_id, items))
        (length,) = struct.unpack(">I", self._read_exactly(4))
        _op, answered_id, status, message, results = decode_response(self._read_exactly(length))
        if status != 0:
            raise ProtocolError(status, message)
        if answered_id != request_id or len(results) != len(items):
            raise ProtocolError(-1, "the answer does not match the request")
        return results

    def _one(self, operation, first, second=b""):
        (result,) = self.call(operation, [(first, second)])
        if not result.ok:
            raise ItemError(result.code, result.detail.decode("utf-8", "replace"))
        return result

    def ping(self):
        self.call(PING, [])

    def secure_request(self, envelope):
        return self._one(SECURE_REQUEST, envelope)

    def open_response(self, envelope, token):
        return self._one(OPEN_RESPONSE, envelope, token)

    def open_request(self, envelope):
        return self._one(OPEN_REQUEST, envelope)

    def secure_response(self, envelope, token):
        return self._one(SECURE_RESPONSE, envelope, token)

    def check_identity(self, certificate_der, identity_xml):
        return self._one(CHECK_IDENTITY, certificate_der, identity_xml)
