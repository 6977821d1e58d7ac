#!/usr/bin/env bash
# Restart time with many partitions: for each Piste build given, a fresh broker gets TOPICS topics of PARTITIONS
# partitions each, a few 100-byte records in every partition (ProducerPerformance, acks=1, round-robin
# partitioner), then ROUNDS times, alternating between the builds so that both see the same machine load:
#   1. kill -9 and the time of the restart to the ready line (unclean: every log is recovered),
#   2. SIGTERM (clean stop) and the time of the restart to the ready line (clean).
# After each restart every partition's end offset (GetOffsetShell) is compared with the one before the first
# stop: a restart must not lose acknowledged data, nor lose or add a partition.
#
# Usage: bench/restart-partitions.sh BUILD [BUILD ...]   BUILD: a Piste checkout (or its piste-server/target)
# env:   TOPICS (default 10), PARTITIONS (per topic, default 200), RECORDS_PER_PARTITION (default 2), ROUNDS
#        (default 2), WORK (default /tmp/piste-bench/restart-partitions-<timestamp>), PISTE_OVERRIDES,
#        JFR=1 records a JFR file of each restart into the broker's directory.
#        RESTART_EVERY=N restarts the broker (clean stop) after every N topics of the fill, CHECK_TOPICS=REGEX checks
#        only the end offsets of those topics (default: all): a broker holds ~3 descriptors per open segment, and
#        a fill or a check of every partition may need more than ulimit -n allows.
# Raises the open-files limit (ulimit -n) to 200000 when allowed: Piste holds descriptors per segment.
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

[ $# -gt 0 ] || die "usage: $0 BUILD [BUILD ...]"
TOPICS="${TOPICS:-10}"
PARTITIONS="${PARTITIONS:-200}"
RECORDS_PER_PARTITION="${RECORDS_PER_PARTITION:-2}"
ROUNDS="${ROUNDS:-2}"
WORK="${WORK:-/tmp/piste-bench/restart-partitions-$(date +%Y%m%d-%H%M%S)}"
ulimit -n 200000 2>/dev/null || log "note: could not raise ulimit -n (now $(ulimit -n))"
mkdir -p "$WORK"
log "work dir: $WORK; $TOPICS topics x $PARTITIONS partitions; ulimit -n $(ulimit -n)"
kafka_classpath

BUILDS=("$@")
declare -A CP OPTS CDS PORTS
RESULTS=()
FAILURES=()
fail() { FAILURES+=("$1"); log "FAILURE $1"; }

use_build() {  # use_build I: the start options of build I
  PISTE_CP="${CP[$1]}"; PISTE_SERVER_OPTS="${OPTS[$1]}"; PISTE_CDS_OPTS="${CDS[$1]}"
}

start_one() {  # start_one I: starts build I on its data
  local extra=""
  [ "${JFR:-0}" = 1 ] && extra="-XX:StartFlightRecording=filename=$WORK/b$1/restart-$(now_ms).jfr,settings=profile"
  use_build "$1"
  # shellcheck disable=SC2086
  PISTE_SERVER_OPTS="$PISTE_SERVER_OPTS $extra" start_piste "$WORK/b$1" "${PORTS[$1]}" ${PISTE_OVERRIDES:-}
}

end_offsets() {  # end_offsets I OUT: every partition's end offset, sorted, into OUT
  run_tool 300 "$2.raw" org.apache.kafka.tools.GetOffsetShell --bootstrap-server "127.0.0.1:${PORTS[$1]}" \
    --topic "${CHECK_TOPICS:-r[0-9]+}" --time -1 && grep -E '^r[0-9]+:[0-9]+:[0-9]+$' "$2.raw" | sort >"$2"
}

for i in "${!BUILDS[@]}"; do
  piste_snapshot "$WORK/dist$i" "${BUILDS[$i]}"
  CP[$i]="$PISTE_CP"; OPTS[$i]="$PISTE_SERVER_OPTS"; CDS[$i]="$PISTE_CDS_OPTS"; PORTS[$i]="$(free_port)"
  log "build $i: ${BUILDS[$i]}: $PISTE_JAR_INFO"
  start_one "$i" || die "build $i: first start failed: $BROKER_ERROR"
  for t in $(seq 1 "$TOPICS"); do
    run_tool 300 "$WORK/b$i/topic-$t.log" org.apache.kafka.tools.TopicCommand \
      --bootstrap-server "127.0.0.1:${PORTS[$i]}" --create --topic "r$t" --partitions "$PARTITIONS" \
      --replication-factor 1 || die "build $i: topic r$t not created (see $WORK/b$i/topic-$t.log)"
    run_tool 600 "$WORK/b$i/fill-$t.log" org.apache.kafka.tools.ProducerPerformance --topic "r$t" \
      --num-records $(( PARTITIONS * RECORDS_PER_PARTITION )) --record-size 100 --throughput -1 \
      --producer-props "bootstrap.servers=127.0.0.1:${PORTS[$i]}" acks=1 linger.ms=0 \
      partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner \
      || die "build $i: fill of r$t failed (see $WORK/b$i/fill-$t.log)"
    if [ -n "${RESTART_EVERY:-}" ] && [ $(( t % RESTART_EVERY )) -eq 0 ]; then
      stop_broker TERM
      start_one "$i" || die "build $i: restart during the fill failed: $BROKER_ERROR"
    fi
  done
  end_offsets "$i" "$WORK/b$i/offsets-before" || die "build $i: GetOffsetShell failed"
  log "build $i: $(wc -l <"$WORK/b$i/offsets-before") partitions, $(awk -F: '{s+=$3} END {print s}' \
    "$WORK/b$i/offsets-before") records, $(find "$WORK/b$i/data" -name '*.log' | wc -l) segment files"
  stop_broker TERM
done

check() {  # check I WHAT
  local f; f="$WORK/b$1/offsets-$2-$(now_ms)"
  if ! end_offsets "$1" "$f"; then fail "build $1 $2: GetOffsetShell failed"; return; fi
  cmp -s "$f" "$WORK/b$1/offsets-before" || fail "build $1 $2: end offsets differ from before (see $f)"
}

for r in $(seq 1 "$ROUNDS"); do
  for i in "${!BUILDS[@]}"; do
    # A start to kill: the last stop was clean, so the kill -9 leaves logs without a clean-shutdown marker.
    start_one "$i" || { fail "build $i round $r: start failed: $BROKER_ERROR"; stop_broker KILL; continue; }
    stop_broker KILL; sleep 1
    echo "----- restart after kill -9 -----" >>"$WORK/b$i/broker.log"
    local_unclean=""; local_clean=""
    if start_one "$i"; then local_unclean=$START_READY_MS; check "$i" unclean; stop_broker TERM
    else fail "build $i round $r: restart after kill -9 failed: $BROKER_ERROR"; stop_broker KILL; fi
    sleep 1
    echo "----- restart after clean stop -----" >>"$WORK/b$i/broker.log"
    if start_one "$i"; then local_clean=$START_READY_MS; check "$i" clean; stop_broker TERM
    else fail "build $i round $r: restart after clean stop failed: $BROKER_ERROR"; stop_broker KILL; fi
    log "build $i round $r: ready after kill -9 ${local_unclean:-FAILED} ms, after clean stop ${local_clean:-FAILED} ms"
    RESULTS+=("| $i | $r | ${local_unclean:-FAILED} | ${local_clean:-FAILED} |")
    sleep 1
  done
done

{
  echo "# Restart time, $TOPICS x $PARTITIONS partitions"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) cores; ulimit -n $(ulimit -n); overrides: ${PISTE_OVERRIDES:-none}"
  for i in "${!BUILDS[@]}"; do echo "- build $i: ${BUILDS[$i]}"; done
  echo
  echo "| build | round | ready after kill -9 (ms) | ready after clean stop (ms) |"
  echo "|---|---|---|---|"
  for r in "${RESULTS[@]}"; do echo "$r"; done
  echo
  if [ ${#FAILURES[@]} -gt 0 ]; then echo "## FAILURES"; echo; for f in "${FAILURES[@]}"; do echo "- $f"; done
  else echo "No failures."; fi
} | tee "$WORK/summary.md"
[ "${KEEP_DATA:-0}" = 1 ] || for i in "${!BUILDS[@]}"; do rm -rf "$WORK/b$i/data"; done
[ ${#FAILURES[@]} -eq 0 ]
