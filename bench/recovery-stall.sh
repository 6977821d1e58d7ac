#!/usr/bin/env bash
# The first request on a log that must be recovered after a kill -9, and what it does to the other connections:
# one partition gets RECS x 1000 B (default 1,000,000, ~1 GB) in page-cache mode within Kafka's default checkpoint
# interval (60 s), so its whole segment lies past the checkpointed recovery point; kill -9; restart; then, while 4
# other connections send ApiVersions every 5 ms (bench/apiversions-stall.py; their first 3 s ignored, as they load the
# broker's request path), one GetOffsetShell on the partition 3.5 s after the ready line. Prints each connection's
# worst round trip and when it happened.
#
# Usage: bench/recovery-stall.sh BUILD WORK   (BUILD: a Piste checkout or its piste-server/target)
# env:   RECS (default 1000000), K9_OPTS: extra JVM options of the broker.
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
[ $# -eq 2 ] || die "usage: $0 BUILD WORK"
BUILD=$1; WORK=$2; mkdir -p "$WORK"
kafka_classpath
piste_snapshot "$WORK/dist" "$BUILD"; PISTE_SERVER_OPTS="$PISTE_SERVER_OPTS ${K9_OPTS:-}"
PORT=$(free_port); BS=127.0.0.1:$PORT
OV="--override log.flush.offset.checkpoint.interval.ms=60000 --override log.flush.on.ack=false"
# shellcheck disable=SC2086
start_piste "$WORK/b" "$PORT" $OV || die "start: $BROKER_ERROR"
run_tool 120 "$WORK/topic.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BS" --create --topic big \
  --partitions 1 --replication-factor 1 || die "topic not created"
run_tool 300 "$WORK/fill.log" org.apache.kafka.tools.ProducerPerformance --topic big --num-records "${RECS:-1000000}" \
  --record-size 1000 --throughput -1 --producer-props "bootstrap.servers=$BS" acks=1 linger.ms=5 batch.size=262144 \
  || die "fill failed"
tail -1 "$WORK/fill.log"
log "big-0: $(du -sh "$WORK/b/data/big-0" | cut -f1)"
stop_broker KILL; sleep 1
echo "----- after kill -9 -----" >>"$WORK/b/broker.log"
# shellcheck disable=SC2086
start_piste "$WORK/b" "$PORT" $OV || die "restart: $BROKER_ERROR"
log "ready after ${START_READY_MS} ms"
timeout 60 python3 "$BENCH_DIR/apiversions-stall.py" "$PORT" 12 4 3 >"$WORK/stall.txt" 2>&1 &
stall_pid=$!
sleep 3.5
t0=$(now_ms)
run_tool 120 "$WORK/offsets.log" org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$BS" --topic big --time -1
log "GetOffsetShell at $(date -d "@$(( t0 / 1000 ))" +%H:%M:%S), $(( $(now_ms) - t0 )) ms (its JVM included): $(grep big "$WORK/offsets.log")"
wait "$stall_pid"; cat "$WORK/stall.txt"
grep -A30 "after kill -9" "$WORK/b/broker.log" | grep -E "Recovered|Loaded" || true
stop_broker TERM
rm -rf "$WORK/b/data"
