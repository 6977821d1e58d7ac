#!/usr/bin/env python3
"""CPU and time a group commit's flush costs on this disk, per GB written, by way of making rounds durable.

Usage: bench/flush-cpu.py MODE FILES CHUNK_KIB TOTAL_MIB [--dir DIR]

Each round writes CHUNK_KIB (random bytes) at the end of each of FILES files, then makes the round durable:
  fdatasync   one fdatasync per file (Piste's fsync path, one after another)
  syncfs      one syncfs(2) of the file system (Piste's syncfs path)
  sfr         sync_file_range(SYNC_FILE_RANGE_WRITE) after each write, then one fdatasync per file
  falloc      files preallocated (fallocate, FALLOC_FL_KEEP_SIZE) to their final size, one fdatasync per file
  sfr-falloc  both of the above
  direct      O_DIRECT writes into files preallocated with posix_fallocate, one fdatasync per file
until TOTAL_MIB are written. Prints MB/s, this process's system and user CPU seconds per GB (getrusage: the kernel's
write-back is charged to the thread that waits for it), and the mean round time. Linux only; the files go to
DIR (default /tmp/flush-cpu) and are deleted at the end. Bounded: it stops after TOTAL_MIB.
"""
import argparse
import ctypes
import mmap
import os
import resource
import shutil
import time

FALLOC_FL_KEEP_SIZE = 1
SYNC_FILE_RANGE_WRITE = 2
MODES = ("fdatasync", "syncfs", "sfr", "falloc", "sfr-falloc", "direct")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=MODES)
    ap.add_argument("files", type=int)
    ap.add_argument("chunk_kib", type=int)
    ap.add_argument("total_mib", type=int)
    ap.add_argument("--dir", default="/tmp/flush-cpu")
    a = ap.parse_args()
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    shutil.rmtree(a.dir, ignore_errors=True)
    os.makedirs(a.dir)
    chunk = a.chunk_kib * 1024
    total = a.total_mib * 1024 * 1024
    per_file = total // a.files + 2 * chunk
    flags = os.O_WRONLY | os.O_CREAT | (os.O_DIRECT if a.mode == "direct" else 0)
    fds = [os.open(os.path.join(a.dir, "f%d" % i), flags, 0o644) for i in range(a.files)]
    for fd in fds:
        if a.mode in ("falloc", "sfr-falloc"):
            libc.fallocate(fd, FALLOC_FL_KEEP_SIZE, ctypes.c_longlong(0), ctypes.c_longlong(per_file))
        elif a.mode == "direct":
            os.posix_fallocate(fd, 0, per_file)
    buf = mmap.mmap(-1, chunk)  # page-aligned, as O_DIRECT needs
    buf.write(os.urandom(chunk))
    data = memoryview(buf)
    pos = [0] * a.files
    written = rounds = 0
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    while written < total:
        for i, fd in enumerate(fds):
            os.pwrite(fd, data, pos[i])
            if a.mode.startswith("sfr"):
                libc.sync_file_range(fd, ctypes.c_longlong(pos[i]), ctypes.c_longlong(chunk), SYNC_FILE_RANGE_WRITE)
            pos[i] += chunk
            written += chunk
        if a.mode == "syncfs":
            if libc.syncfs(fds[0]) != 0:
                raise OSError(ctypes.get_errno(), "syncfs")
        else:
            for fd in fds:
                os.fdatasync(fd)
        rounds += 1
    t1, r1 = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
    for fd in fds:
        os.close(fd)
    shutil.rmtree(a.dir, ignore_errors=True)
    gb = written / 2**30
    print("%-10s files=%d chunk=%dKiB  %7.1f MB/s  system %5.2f s/GB  user %5.2f s/GB  round %6.2f ms" % (
        a.mode, a.files, a.chunk_kib, written / 2**20 / (t1 - t0), (r1.ru_stime - r0.ru_stime) / gb,
        (r1.ru_utime - r0.ru_utime) / gb, (t1 - t0) / rounds * 1000))


if __name__ == "__main__":
    main()
