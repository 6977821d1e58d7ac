#!/usr/bin/env bash
# Restart after a clean stop with many partitions, the issue-18 measure: from the JVM launch until a Metadata
# request lists every partition of the topic with a leader (bench/compare's FirstMetadata probe, started before the
# broker so its own JVM start is not counted). One data directory, made once by build 0, is restarted by every
# build given, alternating, ROUNDS times: the builds see the same files and the same machine load.
#
# The topic is grown by STEP partitions at a time (CreatePartitions) with a clean restart between steps: a broker
# holds a descriptor per open log, and the container's ulimit -n (20,000) would not let one process open them all.
# The partitions of the first step get RECORDS records of 100 B each (ProducerPerformance, round-robin; RECORDS=0
# leaves them empty).
#
# Usage: bench/restart-clean.sh BUILD [BUILD ...]   BUILD: a Piste checkout (or its piste-server/target)
# env:   PARTITIONS (default 20000), STEP (default 5000), RECORDS (per partition of the first step, default 2), ROUNDS (default 5), WORK (default /tmp/piste-bench/restart-clean-<timestamp>),
#        JFR=1 records a JFR file of each timed restart into WORK, EXTRA_OPTS: JVM options of the timed restarts
#        (@ROUND@ in them becomes <build>-<round>), PISTE_OVERRIDES as in bench/compare, KEEP_DATA=1 keeps the data
#        (a later run with the same WORK reuses it).
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

[ $# -gt 0 ] || die "usage: $0 BUILD [BUILD ...]"
PARTITIONS="${PARTITIONS:-20000}"
STEP="${STEP:-5000}"
RECORDS="${RECORDS:-2}"
ROUNDS="${ROUNDS:-5}"
WORK="${WORK:-/tmp/piste-bench/restart-clean-$(date +%Y%m%d-%H%M%S)}"
TOPIC=parts
mkdir -p "$WORK/broker/data"
log "work dir: $WORK; $PARTITIONS partitions; ulimit -n $(ulimit -n)"
kafka_classpath
BUILDS=("$@")
declare -A CP OPTS CDS
for i in "${!BUILDS[@]}"; do
  piste_snapshot "$WORK/dist$i" "${BUILDS[$i]}"
  CP[$i]="$PISTE_CP"; OPTS[$i]="$PISTE_SERVER_OPTS"; CDS[$i]="$PISTE_CDS_OPTS"
  log "build $i: ${BUILDS[$i]}: $PISTE_JAR_INFO"
done
PORT="$(free_port)"
BS="127.0.0.1:$PORT"

start_build() {  # start_build I [EXTRA_JVM_OPTS]
  PISTE_CP="${CP[$1]}"; PISTE_CDS_OPTS="${CDS[$1]}"
  # shellcheck disable=SC2086
  PISTE_SERVER_OPTS="${OPTS[$1]} ${2:-}" start_piste "$WORK/broker" "$PORT" ${PISTE_OVERRIDES:-}
}

# The data: build 0 creates the topic and grows it step by step (unless WORK holds it from a KEEP_DATA=1 run).
BROKER_START_TIMEOUT_S=600
if [ -f "$WORK/broker/data-complete" ]; then
  log "reusing the data in $WORK/broker/data"
else
  start_build 0 || die "first start: $BROKER_ERROR"
  n=$(( STEP < PARTITIONS ? STEP : PARTITIONS ))
  run_tool 600 "$WORK/topic.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BS" --create \
    --topic "$TOPIC" --partitions "$n" --replication-factor 1 || die "topic not created (see $WORK/topic.log)"
  if [ "$RECORDS" -gt 0 ]; then
    run_tool 600 "$WORK/fill.log" org.apache.kafka.tools.ProducerPerformance --topic "$TOPIC" \
      --num-records $(( n * RECORDS )) --record-size 100 --throughput -1 \
      --producer-props "bootstrap.servers=$BS" acks=1 linger.ms=0 \
      partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner \
      || die "fill failed (see $WORK/fill.log)"
  fi
  while [ "$n" -lt "$PARTITIONS" ]; do
    stop_broker TERM
    start_build 0 || die "restart during the growth: $BROKER_ERROR"
    n=$(( n + STEP < PARTITIONS ? n + STEP : PARTITIONS ))
    run_tool 600 "$WORK/grow-$n.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BS" --alter \
      --topic "$TOPIC" --partitions "$n" || die "growth to $n failed (see $WORK/grow-$n.log)"
  done
  stop_broker TERM
  touch "$WORK/broker/data-complete"
fi
log "data: $PARTITIONS partitions, $(find "$WORK/broker/data" -name '*.log' | wc -l) segment files, $(du -sh "$WORK/broker/data" | cut -f1)"

RESULTS=()
for r in $(seq 1 "$ROUNDS"); do
  for i in "${!BUILDS[@]}"; do
    sleep 1
    echo "----- restart-clean: build $i round $r -----" >>"$WORK/broker/broker.log"
    probe="$WORK/probe-$i-$r.log"
    # shellcheck disable=SC2086
    timeout 630 java $TOOL_HEAP_OPTS $TOOLS_LOG4J -cp "$TOOLS_CP" io.piste.bench.compare.FirstMetadata \
      "$PORT" 600000 5 "$TOPIC" "$PARTITIONS" >"$probe" 2>&1 &
    probe_pid=$!
    for _ in $(seq 1 1500); do grep -q '^polling' "$probe" 2>/dev/null && break; sleep 0.02; done
    extra="${EXTRA_OPTS:-}"
    extra="${extra//@ROUND@/$i-$r}"
    [ "${JFR:-0}" = 1 ] && extra="$extra -XX:StartFlightRecording=filename=$WORK/restart-$i-$r.jfr,settings=profile"
    if ! start_build "$i" "$extra"; then
      kill "$probe_pid" 2>/dev/null; wait "$probe_pid" 2>/dev/null
      RESULTS+=("| $i | $r | FAILED | | |"); log "build $i round $r: $BROKER_ERROR"; stop_broker KILL
      if port_open "$PORT"; then die "port $PORT still open after the kill of build $i round $r"; fi
      continue
    fi
    wait "$probe_pid"
    # The broker's CPU time (user+system, all threads) until then: less disturbed by other work than the wall time.
    t="$(cpu_ticks "$BROKER_PID")"; cpu_ms=""; [ -n "$t" ] && cpu_ms=$(( t * 1000 / $(getconf CLK_TCK) ))
    at="$(sed -n 's/.*first_metadata_epoch_ms=\([0-9]*\).*/\1/p' "$probe")"
    ms=""; [ -n "$at" ] && ms=$(( at - LAUNCH_EPOCH_MS ))
    log "build $i round $r: every partition led in Metadata ${ms:-FAILED} ms after the launch (ready line ${START_READY_MS} ms, CPU ${cpu_ms:-?} ms)"
    RESULTS+=("| $i | $r | ${ms:-FAILED} | $START_READY_MS | ${cpu_ms:-?} |")
    stop_broker TERM
    # Two brokers must never share the data: stop here if anything still listens on the port.
    if port_open "$PORT"; then die "port $PORT still open after the stop of build $i round $r"; fi
  done
done

{
  echo "# Restart after a clean stop, $PARTITIONS partitions ($STEP with $RECORDS records each)"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for i in "${!BUILDS[@]}"; do echo "- build $i: ${BUILDS[$i]}"; done
  echo
  echo "| build | round | all partitions led in Metadata (ms after launch) | ready line (ms) | broker CPU then (ms) |"
  echo "|---|---|---|---|---|"
  for l in "${RESULTS[@]}"; do echo "$l"; done
} | tee "$WORK/summary.md"
[ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$WORK/broker/data" "$WORK/broker/data-complete"
