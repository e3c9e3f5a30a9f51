#!/usr/bin/env python3
"""Batch driver for the reference canonicalizer (WSSEAL_PEERS/c14n.py), one process for many tasks.

stdin: one JSON object per line
    {"file": PATH, "exclusive": bool, "comments": bool, "id": str|null, "prefixes": str|null, "out": PATH}
Each task calls c14n.canonicalize exactly as `c14n.py [--exclusive|--inclusive] [--comments]
[--prefixes P] [--id ID] FILE` would, and writes the canonical bytes to OUT, or the error message to
OUT.err (a refusal: the CLI would exit 2). Prints "done N" on stdout at the end.
"""
import json
import os
import sys

peers = os.environ.get("WSSEAL_PEERS")
if not peers:
    sys.exit("c14n_batch.py: WSSEAL_PEERS is not set")
sys.path.insert(0, os.path.abspath(peers))

from lxml import etree  # noqa: E402
import c14n  # noqa: E402


def run(task):
    # Same argument mapping as c14n.main: empty --id / --prefixes mean "not given".
    return c14n.canonicalize(task["file"], exclusive=bool(task["exclusive"]),
                             comments=bool(task["comments"]), idv=task.get("id") or None,
                             prefixes=task.get("prefixes") or None)


def main():
    n = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        task = json.loads(line)
        out = task["out"]
        try:
            data = run(task)
        except (c14n.RefError, OSError, ValueError, etree.Error) as e:
            with open(out + ".err", "w", encoding="utf-8") as g:
                g.write("c14n.py: %s\n" % e)
        except Exception as e:  # noqa: BLE001 -- the CLI would crash (exit 1); still a refusal
            with open(out + ".err", "w", encoding="utf-8") as g:
                g.write("c14n.py crashed: %s: %s\n" % (type(e).__name__, e))
        else:
            with open(out, "wb") as g:
                g.write(data)
        n += 1
    print("done %d" % n)


if __name__ == "__main__":
    main()
