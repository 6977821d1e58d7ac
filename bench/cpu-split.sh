#!/bin/bash
# bench/cpu-split.sh RECORDS PARTITIONS [--override K=V ...] (env THROUGHPUT: records/s, default -1, unlimited): where the machine's CPU goes during one produce of
# RECORDS x 1 KiB (acks=all, linger.ms=5, Kafka's ProducerPerformance) to a new topic of PARTITIONS partitions on a
# fresh Piste broker started with the given overrides: the producer's CPU (/usr/bin/time), the broker's
# (/proc/PID/stat) and the whole machine's busy and idle ticks (/proc/stat; 100 ticks per second per core). Starts
# its own broker on 127.0.0.1:9092 with data in /tmp/cpu-split-data (nothing else may use that port), stops it at
# the end. Needs Piste built and bench/kafka's classpath (any bench script run once builds it). Loopback only;
# bounded by timeouts.
set -u
records=$1; parts=$2; shift 2
cd "$(dirname "$0")/.."
. bench/lib.sh
fresh_broker_with_topic /tmp/cpu-split-data "$parts" 900 "$@"
machine() { awk '/^cpu /{print $2+$3+$4+$7+$8, $5+$6}' /proc/stat; }
b0=$(cpu_ticks "$PID"); read -r m0 i0 < <(machine)
/usr/bin/time -f "producer CPU %U s user %S s system, %e s elapsed" timeout 600 java -Xmx512M -cp "$CP" \
    org.apache.kafka.tools.ProducerPerformance --topic t --num-records "$records" --record-size 1024 --throughput "${THROUGHPUT:--1}" \
    --producer-props bootstrap.servers=127.0.0.1:9092 acks=all linger.ms=5 2>&1 | tail -2
b1=$(cpu_ticks "$PID"); read -r m1 i1 < <(machine)
echo "machine busy $((m1 - m0)) ticks, idle and iowait $((i1 - i0)) ticks; broker $((b1 - b0)) ticks"
kill $PID; wait 2>/dev/null
