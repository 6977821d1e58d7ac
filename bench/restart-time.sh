#!/usr/bin/env bash
# Restart time with a full log: fills a fresh broker's log with N GiB (1 KiB records, acks=1, Kafka's
# ProducerPerformance, 6 partitions), then
#   1. kill -9 the broker and time the restart to the ready line (unclean: recovery of the log tail),
#   2. SIGTERM it (clean stop, timed) and time the restart to the ready line again (clean).
# After each restart the partitions' end offsets are summed (GetOffsetShell) and compared with the number
# of records the producer had acknowledged: a restart must not lose acknowledged data (the broker process
# died, not the OS, so even page-cache data must survive).
#
# Usage: bench/restart-time.sh [SIZE ...]   SIZE in GiB (or MiB with an m suffix, e.g. 200m); default: 1 10
# env:   BROKERS="piste"  (or "piste kafka" to run Apache Kafka 4.4.0 the same way for comparison)
#        PISTE_OVERRIDES="--override k=v ..." (extra Piste configs; default: Piste's defaults)
#        WORK (default /tmp/piste-bench/restart-<timestamp>), KEEP_DATA=1 keeps the logs afterwards.
# A size is skipped when the file system does not have 2x its size free.
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

SIZES_GB=("$@"); [ ${#SIZES_GB[@]} -gt 0 ] || SIZES_GB=(1 10)
BROKERS="${BROKERS:-piste}"
WORK="${WORK:-/tmp/piste-bench/restart-$(date +%Y%m%d-%H%M%S)}"
PARTITIONS="${PARTITIONS:-6}"
RECORD_SIZE=1024
TOPIC=bench
mkdir -p "$WORK"
log "work dir: $WORK"

kafka_classpath
case " $BROKERS " in *" piste "*) piste_snapshot "$WORK/piste-dist" ;; esac

RESULTS=()
FAILURES=()
fail() { FAILURES+=("$1"); log "FAILURE $1"; }

# end_offsets BOOTSTRAP OUTFILE: sum of the topic's end offsets, or empty.
end_offsets() {
  run_tool 120 "$2" org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$1" --topic "$TOPIC" --time -1 \
    && awk -F: -v t="$TOPIC" '$0 ~ "^" t ":[0-9]+:[0-9]+$" {s += $3; n++} END {if (n) print s}' "$2"
}

start_broker() {  # start_broker KIND DIR PORT
  case "$1" in
    piste) # shellcheck disable=SC2086
      start_piste "$2" "$3" ${PISTE_OVERRIDES:-} ;;
    kafka) start_kafka "$2" "$3" ;;
  esac
}

run_one() {  # run_one KIND SIZE (GiB, or MiB with an m suffix: 200m)
  local kind="$1" gb="$2" dir="$WORK/$1-$2" port cport rc records mb
  case "$gb" in *m) mb=${gb%m} ;; *) mb=$(( gb * 1024 )) ;; esac
  [[ "$mb" =~ ^[0-9]+$ ]] || die "size must be whole GiB or NNNm (MiB): $gb"
  records=$(( mb * 1024 ))   # 1 KiB records
  local need_mb=$(( mb * 2 + 1024 )) avail_mb
  avail_mb=$(df -Pm "$WORK" | awk 'NR==2 {print $4}')
  if [ "$avail_mb" -lt "$need_mb" ]; then
    log "skipping $kind $gb: ${avail_mb} MB free in $WORK, want ${need_mb} MB (2x margin)"
    RESULTS+=("| $kind | $gb | skipped: only ${avail_mb} MB free | | | | | | |")
    return
  fi
  mkdir -p "$dir"
  port=$(free_port)
  local load_start; load_start="$(cut -d' ' -f1 /proc/loadavg)"
  log "=== $kind, $gb ($records records of $RECORD_SIZE B) on 127.0.0.1:$port ==="
  if [ "$kind" = kafka ]; then
    cport=$(free_port)
    kafka_format "$dir" "$port" "$cport" || { fail "$kind ${gb}: kafka storage format failed"; return; }
  fi
  start_broker "$kind" "$dir" "$port" || { fail "$kind ${gb}: first start failed: $BROKER_ERROR"; stop_broker KILL; return; }
  local first_ms=$START_READY_MS bs="127.0.0.1:$port"
  run_tool 120 "$dir/topic-create.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" \
    --create --topic "$TOPIC" --partitions "$PARTITIONS" --replication-factor 1 \
    || { fail "$kind ${gb}: topic creation failed (see $dir/topic-create.log)"; stop_broker KILL; return; }

  log "$kind: filling $gb with ProducerPerformance, acks=1"
  run_tool $(( mb * 600 / 1024 + 300 )) "$dir/fill.log" org.apache.kafka.tools.ProducerPerformance \
    --topic "$TOPIC" --num-records "$records" --record-size "$RECORD_SIZE" --throughput -1 \
    --producer-props "bootstrap.servers=$bs" acks=1
  rc=$?
  parse_producer_perf "$dir/fill.log"
  local fill_mbs=$PP_MBS
  local perrs; perrs=$(grep -cE 'Exception|ERROR' "$dir/fill.log" || true)
  if [ $rc -ne 0 ] || [ -z "$PP_LINE" ] || [ "$perrs" -gt 0 ]; then
    fail "$kind ${gb}: fill: ProducerPerformance exit $rc, $perrs error lines (see $dir/fill.log): $(grep -m1 -E 'Exception|ERROR' "$dir/fill.log" | cut -c1-200)"
  fi
  log "$kind fill: ${PP_LINE:-no summary}"
  local acked; acked="$(end_offsets "$bs" "$dir/offsets-before.log")"
  local disk_mb; disk_mb=$(du -sm "$dir/data" | cut -f1)
  local segs; segs=$(find "$dir/data" -path "*/$TOPIC-*" -name '*.log' | wc -l)
  broker_stats
  local fill_rss=$(( ${PEAK_RSS_KB:-0} / 1024 ))

  # 1. kill -9 and restart.
  log "$kind: kill -9 $BROKER_PID"
  stop_broker KILL
  sleep 1
  echo "----- restart after kill -9 -----" >>"$dir/broker.log"
  local unclean_ms="" after_unclean="" clean_ms="" after_clean="" stop_ms=""
  if start_broker "$kind" "$dir" "$port"; then
    unclean_ms=$START_READY_MS
    after_unclean="$(end_offsets "$bs" "$dir/offsets-unclean.log")"
    log "$kind: ready $unclean_ms ms after kill -9; end offsets $after_unclean (acknowledged before: $acked)"
    [ "$after_unclean" = "$acked" ] || fail "$kind ${gb}: end offsets after kill -9 restart are '$after_unclean', before '$acked' (see $dir/offsets-*.log, $dir/broker.log)"
    # 2. clean stop and restart.
    stop_broker TERM
    stop_ms=$STOP_MS
    [ "$stop_ms" = timeout ] && fail "$kind ${gb}: clean stop did not finish within ${BROKER_STOP_TIMEOUT_S}s"
    sleep 1
    echo "----- restart after clean stop -----" >>"$dir/broker.log"
    if start_broker "$kind" "$dir" "$port"; then
      clean_ms=$START_READY_MS
      after_clean="$(end_offsets "$bs" "$dir/offsets-clean.log")"
      log "$kind: ready $clean_ms ms after a clean stop; end offsets $after_clean"
      [ "$after_clean" = "$acked" ] || fail "$kind ${gb}: end offsets after clean restart are '$after_clean', before '$acked'"
      stop_broker TERM
    else
      fail "$kind ${gb}: restart after clean stop failed: $BROKER_ERROR"; stop_broker KILL
    fi
  else
    fail "$kind ${gb}: restart after kill -9 failed: $BROKER_ERROR"; stop_broker KILL
  fi
  RESULTS+=("| $kind | $gb | $disk_mb MB in $segs segment files, filled at ${fill_mbs:-?} MB/s (broker peak RSS $fill_rss MB; load average $load_start at start, $(cut -d' ' -f1 /proc/loadavg) at end) | $first_ms | ${unclean_ms:-FAILED} | ${stop_ms:-?} | ${clean_ms:-FAILED} | ${acked:-?} | ${after_unclean:-?} / ${after_clean:-?} |")
  [ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$dir/data"
}

for gb in "${SIZES_GB[@]}"; do
  for kind in $BROKERS; do
    run_one "$kind" "$gb"
    sleep 3
  done
done

{
  echo "# Restart time with a full log"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) cores; broker JVM: $BROKER_HEAP_OPTS $BROKER_JVM_OPTS"
  [ -n "${PISTE_JAR_INFO:-}" ] && echo "- Piste: $PISTE_JAR_INFO; overrides: ${PISTE_OVERRIDES:-none (defaults)}"
  echo "- fill: ProducerPerformance, 1 KiB records, acks=1, unthrottled, topic with $PARTITIONS partitions"
  echo
  echo "| broker | size (GiB, or m = MiB) | log | first start (ms) | restart after kill -9 (ms) | clean stop (ms) | restart after clean stop (ms) | end offsets before | after kill -9 / after clean |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for r in "${RESULTS[@]}"; do echo "$r"; done
  echo
  if [ ${#FAILURES[@]} -gt 0 ]; then echo "## FAILURES"; echo; for f in "${FAILURES[@]}"; do echo "- $f"; done
  else echo "No failures."; fi
  echo
  echo "Logs: $WORK/<broker>-<size>/{broker,fill,offsets-*}.log"
} | tee "$WORK/summary.md"
[ ${#FAILURES[@]} -eq 0 ]
