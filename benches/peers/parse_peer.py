#!/usr/bin/env python3
"""Peer for the parse benchmark: libxml2 (through lxml, the parser xmlsec uses) builds its tree of
the file. Prints the best rate in parses per second over about `budget` seconds, timing batches of
parses of at least a millisecond so that small documents are measured fairly."""
import sys
import time

from lxml import etree


def main():
    path, budget = sys.argv[1], float(sys.argv[2])
    data = open(path, "rb").read()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    etree.fromstring(data, parser)
    batch = 1
    while True:
        t = time.perf_counter()
        for _ in range(batch):
            etree.fromstring(data, parser)
        if time.perf_counter() - t >= 1e-3:
            break
        batch *= 2
    best = float("inf")
    end = time.perf_counter() + budget
    while time.perf_counter() < end:
        t = time.perf_counter()
        for _ in range(batch):
            etree.fromstring(data, parser)
        best = min(best, (time.perf_counter() - t) / batch)
    print(1 / best)


if __name__ == "__main__":
    main()
