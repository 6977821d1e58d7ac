#!/usr/bin/env python3
"""How long one 1 KiB append plus fdatasync takes on this disk, the way a durable broker acknowledges.

Usage: bench/fsync-latency.py [--count N] [--rounds R] [--busy B] [--dir DIR]

Each round times --count appends in three files: one that grows with every write (what Piste and Kafka do),
one preallocated with fallocate, and one preallocated by writing zeros (so the fdatasync never has to commit a
new file size or new extents). --busy B starts B processes that spin for the whole run, to see what the
latency becomes when the CPUs are as busy as during a benchmark (broker and client tools on 2 cores).
Prints p50 / p99 / p99.9 in ms per file kind and round.
"""
import argparse
import multiprocessing
import os
import tempfile
import time

RECORD = 1024


def spin():
    while True:
        pass


def percentiles(latencies):
    latencies.sort()
    n = len(latencies)
    return [latencies[max(0, int(q * n) - 1)] * 1000 for q in (0.5, 0.99, 0.999)]


def timed_appends(path, count, preallocate):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        size = count * RECORD
        if preallocate == "fallocate":
            os.posix_fallocate(fd, 0, size)
            os.fsync(fd)
        elif preallocate == "zeros":
            os.pwrite(fd, bytes(size), 0)
            os.fsync(fd)
        record = os.urandom(RECORD)
        latencies = []
        for i in range(count):
            start = time.perf_counter()
            os.pwrite(fd, record, i * RECORD)
            os.fdatasync(fd)
            latencies.append(time.perf_counter() - start)
        return percentiles(latencies)
    finally:
        os.close(fd)
        os.remove(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=6000, help="appends per file (default 6000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds over the three kinds (default 2)")
    parser.add_argument("--busy", type=int, default=0, help="spinning processes during the run (default 0)")
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where the files go (default: $TMPDIR)")
    args = parser.parse_args()

    spinners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.busy)]
    for spinner in spinners:
        spinner.start()
    try:
        print(f"{args.count} appends of {RECORD} B + fdatasync per file, {args.busy} busy processes; ms")
        print("round\tfile\tp50\tp99\tp99.9")
        for round_number in range(1, args.rounds + 1):
            for kind in ("growing", "fallocate", "zeros"):
                path = os.path.join(args.dir, f"fsync-latency-{os.getpid()}-{kind}.bin")
                p50, p99, p999 = timed_appends(path, args.count, kind)
                print(f"{round_number}\t{kind}\t{p50:.3f}\t{p99:.3f}\t{p999:.3f}", flush=True)
    finally:
        for spinner in spinners:
            spinner.terminate()


if __name__ == "__main__":
    main()
