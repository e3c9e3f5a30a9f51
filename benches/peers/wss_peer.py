#!/usr/bin/env python3
"""Peer for the WS-Security benchmark: python-xmlsec (libxmlsec1 + libxml2 + OpenSSL, in-process)
through the shared reference peer `pyxmlsec_wss.py`, Basic256Sha256 (RSA-SHA256, SHA-256 digests,
exc-c14n, AES-256-CBC, RSA-OAEP-MGF1P).

  wss_peer.py sign    PLAIN   SECONDS KEY CERT           parse + sign Body and Timestamp + serialize
  wss_peer.py verify  SIGNED  SECONDS                    parse + verify (the message is ours)
  wss_peer.py secure  PLAIN   SECONDS KEY CERT RCPT_CERT parse + sign + encrypt the Body + serialize
  wss_peer.py open    SECURED SECONDS KEY                parse + decrypt + verify + serialize (ours)

PLAIN is an envelope without a Security header: a wsse:Security header with a fresh wsu:Timestamp
(what our engine writes while securing) is added to it once, outside the timed loop, because
pyxmlsec_wss signs a Timestamp that is already there. Calls run in batches of about 20 ms for
SECONDS; prints the best batch's rate in operations per second.

With --memory (SECONDS is then ignored), runs the operation once and prints its peak resident
memory in bytes, the input envelope included: the peak resident set (VmHWM, reset through
/proc/self/clear_refs once the input is read and the keys loaded, freed heap handed back with
malloc_trim) above the resident set at that reset, plus the size of the input file.

pyxmlsec_wss creates an xmlsec.KeysManager for every message it encrypts or decrypts, and creating
one costs about 6 ms (far more than the RSA operation): a long-running service keeps one. So by
default the process keeps one manager, with the one key the benchmark uses added once; pass
--manager-per-message to time pyxmlsec_wss exactly as written.

The shared peers are found in $WSSEAL_PEERS, else <workspace>/../shared/peers."""
import ctypes
import datetime as dt
import gc
import os
import sys
import time
from pathlib import Path

from lxml import etree

WORKSPACE = Path(__file__).resolve().parents[2]
sys.path.insert(0, os.environ.get("WSSEAL_PEERS", str(WORKSPACE.parent / "shared" / "peers")))
import pyxmlsec_wss as peer  # noqa: E402
import xmlsec  # noqa: E402

# 10 MB envelopes hold text nodes (a CipherValue of 14 MB) beyond libxml2's default limits.
PARSER = etree.XMLParser(huge_tree=True)


class _OneKeysManager(xmlsec.KeysManager):
    """The process's keys manager: keys are added once (the benchmark uses one key per process)."""

    instance = None

    def add_key(self, key):
        if not getattr(self, "has_key", False):
            super().add_key(key)
            self.has_key = True


def _keys_manager():
    if _OneKeysManager.instance is None:
        _OneKeysManager.instance = _OneKeysManager()
    return _OneKeysManager.instance


class _XmlsecWithOneKeysManager:
    """The xmlsec module as pyxmlsec_wss sees it, but with one keys manager per process."""

    def __getattr__(self, name):
        return _keys_manager if name == "KeysManager" else getattr(xmlsec, name)


def parse(data):
    return etree.fromstring(data, PARSER)


def with_timestamp(plain: bytes) -> bytes:
    """The envelope with a wsse:Security header holding a fresh wsu:Timestamp (Id TS-1)."""
    root = parse(plain)
    soap = root.tag[1:].split("}")[0]
    header = root.find("{%s}Header" % soap)
    if header is None:
        header = etree.Element("{%s}Header" % soap)
        root.insert(0, header)
    sec = etree.SubElement(header, peer.q("wsse", "Security"), nsmap={"wsse": peer.NS["wsse"]})
    sec.set("{%s}mustUnderstand" % soap, "1")
    ts = etree.SubElement(sec, peer.q("wsu", "Timestamp"), {peer.WSU_ID: "TS-1"}, nsmap={"wsu": peer.NS["wsu"]})
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    etree.SubElement(ts, peer.q("wsu", "Created")).text = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    etree.SubElement(ts, peer.q("wsu", "Expires")).text = (now + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return etree.tostring(root)


def operation(cmd, data, args):
    if cmd == "sign":
        key = xmlsec.Key.from_file(args[0], xmlsec.KeyFormat.PEM)
        der = peer.xmlsec_cert_der(args[1])
        data = with_timestamp(data)
        return lambda: etree.tostring(peer.sign(parse(data), key, der))
    if cmd == "verify":
        return lambda: peer.verify(parse(data))
    if cmd == "secure":
        key = xmlsec.Key.from_file(args[0], xmlsec.KeyFormat.PEM)
        der = peer.xmlsec_cert_der(args[1])
        recipient = open(args[2], "rb").read()
        data = with_timestamp(data)
        return lambda: etree.tostring(peer.encrypt(peer.sign(parse(data), key, der), recipient))
    if cmd == "open":
        key = xmlsec.Key.from_file(args[0], xmlsec.KeyFormat.PEM)

        def open_():
            root = peer.decrypt(parse(data), key)
            peer.verify(root)
            return etree.tostring(root)

        return open_
    sys.exit(__doc__)


def vm_status(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no %s in /proc/self/status" % field)


def peak_memory(once, input_len):
    """Bytes of peak resident memory `once()` adds, plus the input's `input_len`."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    base = vm_status("VmRSS")
    result = once()
    peak = vm_status("VmHWM")
    del result
    return peak - base + input_len


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    cmd, path, budget, args = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
    if "--manager-per-message" in args:
        args.remove("--manager-per-message")
    else:
        peer.xmlsec = _XmlsecWithOneKeysManager()
    memory = "--memory" in args
    if memory:
        args.remove("--memory")
    data = open(path, "rb").read()
    once = operation(cmd, data, args)
    if memory:
        print(peak_memory(once, len(data)))
        return
    t = time.perf_counter()
    once()  # also checks that the operation succeeds on this input
    batch = max(1, int(0.02 / max(time.perf_counter() - t, 1e-9)))
    best = float("inf")
    end = time.perf_counter() + budget
    while True:
        t = time.perf_counter()
        for _ in range(batch):
            once()
        best = min(best, (time.perf_counter() - t) / batch)
        if time.perf_counter() >= end:
            break
    print(1 / best)


if __name__ == "__main__":
    main()
