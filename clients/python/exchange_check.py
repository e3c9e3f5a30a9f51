"""Runs a whole exchange through a loopback sidecar with the Python client; used by
sidecar/tests/python_client.rs. Usage: exchange_check.py SOCKET REQUEST_FILE RESPONSE_FILE"""

import json
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
import wsseal_client as ws  # noqa: E402

socket_path, request_file, response_file = sys.argv[1:4]
request = open(request_file, "rb").read()
response = open(response_file, "rb").read()

with ws.SidecarClient(socket_path) as sidecar:
    sidecar.ping()
    secured = sidecar.secure_request(request)
    assert b"EncryptedData" in secured.envelope and b"<n1>100</n1>" not in secured.envelope
    opened = sidecar.open_request(secured.envelope)
    assert b"<n1>100</n1>" in opened.envelope
    report = json.loads(opened.detail)
    answer = sidecar.secure_response(response, opened.token)
    final = sidecar.open_response(answer.envelope, secured.token)
    assert b"<AddResult>115.99</AddResult>" in final.envelope

    # Errors arrive with their stable codes.
    try:
        sidecar.secure_response(response, b"forged")
        raise SystemExit("a forged token was accepted")
    except ws.ItemError as error:
        assert error.code == 806, error
    results = sidecar.call(ws.OPEN_REQUEST, [(b"<x/>", b""), (secured.envelope, b"")])
    codes = [r.code for r in results]
    try:
        sidecar.call(ws.PING, [(b"x", b"")])
        raise SystemExit("a ping with items was accepted")
    except ws.ProtocolError as error:
        assert error.code == 801, error

print(json.dumps({"signer": report["signer"]["subject"], "codes": codes}))
