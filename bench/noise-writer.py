#!/usr/bin/env python3
"""Another program writing to the log dirs' file system: rewrites FILE (SIZE_MIB) in 1 MiB writes at about
RATE_MIBS MiB/s, never syncing, for SECONDS seconds (bounded), then deletes it. What syncfs must also write back
(and an fsync of one file need not), to measure the group commit beside a co-located writer.

Usage: bench/noise-writer.py FILE SIZE_MIB RATE_MIBS SECONDS
"""
import os
import sys
import time


def main():
    path, size_mib, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    chunk = os.urandom(1 << 20)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    start = time.monotonic()
    written = 0
    try:
        while time.monotonic() - start < seconds:
            os.pwrite(fd, chunk, (written % size_mib) << 20)
            written += 1
            ahead = written / rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)
    finally:
        os.close(fd)
        os.unlink(path)
    print("noise writer: %d MiB written in %.1f s" % (written, time.monotonic() - start))


if __name__ == "__main__":
    main()
