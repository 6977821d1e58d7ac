#!/usr/bin/env bash
# Side-by-side benchmark: Apache Kafka 4.4.0 (single-node KRaft, default settings) vs Piste with
# log.flush.on.ack=true (its default: fsync before acks=all is answered) vs Piste with
# log.flush.on.ack=false (Kafka-like: answered from the page cache), on 127.0.0.1, one after the other.
#
# For each broker: start-up time, topic creation (6 partitions), Kafka's ProducerPerformance
# (1,000,000 x 1 KiB records, acks=all, unthrottled, producer defaults otherwise), consumer throughput
# (bench/kafka's ConsumerThroughput: assign + seekToBeginning, no group; plus Kafka's ConsumerPerformance,
# which needs a consumer group), broker peak RSS (VmHWM), broker CPU time, on-disk size, clean stop time.
#
# Usage: bench/side-by-side.sh            (env: RECORDS, RECORD_SIZE, PARTITIONS, CASES, WORK, PISTE_BUILD)
# Output: a markdown summary on stdout and in $WORK/summary.md; every log under $WORK. See bench/README.md.
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

RECORDS="${RECORDS:-1000000}"
RECORD_SIZE="${RECORD_SIZE:-1024}"
PARTITIONS="${PARTITIONS:-6}"
CASES="${CASES:-kafka piste-flush piste-noflush}"
WORK="${WORK:-/tmp/piste-bench/side-by-side-$(date +%Y%m%d-%H%M%S)}"
TOPIC=bench
PRODUCE_TIMEOUT_S="${PRODUCE_TIMEOUT_S:-900}"
CONSUME_TIMEOUT_S="${CONSUME_TIMEOUT_S:-600}"
PAUSE_S="${PAUSE_S:-5}"   # idle time between brokers, so one broker's tail does not overlap the next

mkdir -p "$WORK"
log "work dir: $WORK"
need_mb=$(( RECORDS * (RECORD_SIZE + 100) / 1024 / 1024 * 2 + 512 ))
avail_mb=$(df -Pm "$WORK" | awk 'NR==2 {print $4}')
[ "$avail_mb" -gt "$need_mb" ] || die "need ${need_mb} MB free in $WORK, have ${avail_mb} MB"

kafka_classpath
case " $CASES " in *" piste-"*) piste_snapshot "$WORK/piste-dist" ;; esac

declare -A R   # R[case.metric]
FAILURES=()

fail() {  # fail CASE STEP MESSAGE [FILE]
  local msg="$1/$2: $3"
  FAILURES+=("$msg${4:+ (output: $4)}")
  log "FAILURE $msg"
  [ -n "${4:-}" ] && [ -f "$4" ] && tail -n 30 "$4" | sed 's/^/    | /' >&2
}

run_case() {
  local c="$1" dir="$WORK/$1" port cport rc t0
  mkdir -p "$dir"
  port=$(free_port)
  local load_start; load_start="$(cut -d' ' -f1 /proc/loadavg)"
  log "=== $c on 127.0.0.1:$port (load average $load_start) ==="
  case "$c" in
    kafka)
      cport=$(free_port)
      kafka_format "$dir" "$port" "$cport" || { fail "$c" format "kafka storage format failed" "$dir/format.log"; return; }
      R[$c.format_ms]=$FORMAT_MS
      start_kafka "$dir" "$port"; rc=$? ;;
    piste-flush)   start_piste "$dir" "$port" --override log.flush.on.ack=true; rc=$? ;;
    piste-noflush) start_piste "$dir" "$port" --override log.flush.on.ack=false; rc=$? ;;
    *) die "unknown case $c" ;;
  esac
  if [ $rc -ne 0 ]; then
    fail "$c" start "$BROKER_ERROR" "$BROKER_LOG"
    stop_broker KILL
    return
  fi
  R[$c.start_ready_ms]=$START_READY_MS; R[$c.start_port_ms]=$START_PORT_MS
  log "$c ready in $START_READY_MS ms (port accepting after $START_PORT_MS ms)"
  local bs="127.0.0.1:$port"

  t0=$(now_ms)
  if run_tool 120 "$dir/topic-create.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" \
      --create --topic "$TOPIC" --partitions "$PARTITIONS" --replication-factor 1; then
    R[$c.topic_ms]=$(( $(now_ms) - t0 ))
  else
    fail "$c" topic-create "TopicCommand exited $?" "$dir/topic-create.log"
  fi

  log "$c: ProducerPerformance $RECORDS x $RECORD_SIZE B, acks=all"
  run_tool "$PRODUCE_TIMEOUT_S" "$dir/producer.log" org.apache.kafka.tools.ProducerPerformance \
    --topic "$TOPIC" --num-records "$RECORDS" --record-size "$RECORD_SIZE" --throughput -1 \
    --producer-props "bootstrap.servers=$bs" acks=all
  rc=$?
  parse_producer_perf "$dir/producer.log"
  R[$c.pp_rps]=$PP_RPS; R[$c.pp_mbs]=$PP_MBS; R[$c.pp_avg]=$PP_AVG; R[$c.pp_max]=$PP_MAX
  R[$c.pp_p50]=$PP_P50; R[$c.pp_p99]=$PP_P99; R[$c.pp_p999]=$PP_P999; R[$c.pp_line]=$PP_LINE
  local perrs; perrs=$(grep -cE 'Exception|ERROR' "$dir/producer.log" || true)
  R[$c.pp_errors]=$perrs
  if [ $rc -ne 0 ] || [ -z "$PP_LINE" ] || [ "$perrs" -gt 0 ]; then
    fail "$c" produce "ProducerPerformance exit $rc, $perrs error lines, summary: '${PP_LINE:-none}'" "$dir/producer.log"
  fi
  log "$c producer: ${PP_LINE:-no summary}"

  log "$c: ConsumerThroughput (assign + seekToBeginning, no group)"
  run_tool "$CONSUME_TIMEOUT_S" "$dir/consumer.log" io.piste.bench.ConsumerThroughput "$bs" "$TOPIC" "$RECORDS" \
    $(( (CONSUME_TIMEOUT_S - 30) * 1000 ))
  rc=$?
  parse_consumer_throughput "$dir/consumer.log"
  R[$c.ct_mbs]=$CT_MBS; R[$c.ct_rps]=$CT_RPS; R[$c.ct_ms]=$CT_MS; R[$c.ct_first]=$CT_FIRST
  R[$c.ct_records]=$CT_RECORDS; R[$c.ct_endsum]=$CT_ENDSUM; R[$c.ct_line]=$CT_LINE
  if [ $rc -ne 0 ] || [ "${CT_RECORDS:-0}" != "$RECORDS" ] || [ "${CT_ENDSUM:-0}" != "$RECORDS" ]; then
    fail "$c" consume "ConsumerThroughput exit $rc, got ${CT_RECORDS:-?} records, end offsets sum ${CT_ENDSUM:-?} (want $RECORDS)" "$dir/consumer.log"
  fi
  log "$c consumer: ${CT_LINE:-no summary}"

  # Broker figures over the same work for every broker: start, topic, produce, consume (before the group test,
  # which makes Kafka create its 50-partition __consumer_offsets topic and fails fast on Piste).
  broker_stats
  R[$c.peak_rss_mb]=$(( ${PEAK_RSS_KB:-0} / 1024 )); R[$c.cpu_s]=$CPU_S
  R[$c.disk_mb]=$(du -sm "$dir/data" | cut -f1)   # allocated blocks (Kafka preallocates sparse index files)

  # Kafka's own ConsumerPerformance: subscribe() with a group, so it needs a group coordinator.
  log "$c: ConsumerPerformance (needs a consumer group)"
  run_tool 180 "$dir/consumer-perf.log" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$bs" \
    --topic "$TOPIC" --num-records "$RECORDS" --timeout 30000
  rc=$?
  local cpline; cpline="$(grep -A1 '^start.time' "$dir/consumer-perf.log" | tail -n 1)"
  # columns: start, end, MB, MB/s, nMsg, nMsg/s, rebalance ms, fetch ms, fetch MB/s, fetch nMsg/s
  local cp_n; cp_n="$(awk -F', ' '{print $5}' <<<"$cpline")"
  if [ $rc -eq 0 ] && [ "$cp_n" = "$RECORDS" ]; then
    R[$c.cp_mbs]="$(awk -F', ' '{print $4}' <<<"$cpline")"
    R[$c.cp_fetch_mbs]="$(awk -F', ' '{print $9}' <<<"$cpline")"
    R[$c.cp_rebalance_ms]="$(awk -F', ' '{print $7}' <<<"$cpline")"
  else
    R[$c.cp_mbs]="failed"
    R[$c.cp_note]="exit $rc, consumed ${cp_n:-0}: $(grep -vE '^\s+at |^start.time' "$dir/consumer-perf.log" | grep -E 'WARN|ERROR|Exception|Exiting' | head -n 2 | tr '\n' ' ' | cut -c1-300)"
    if [ "${c#piste}" = "$c" ]; then fail "$c" consumer-perf "${R[$c.cp_note]}" "$dir/consumer-perf.log"; fi
  fi
  log "$c ConsumerPerformance: ${cpline:-${R[$c.cp_note]:-}}"

  stop_broker TERM
  R[$c.stop_ms]=$STOP_MS
  R[$c.load]="$load_start / $(cut -d' ' -f1 /proc/loadavg)"
  R[$c.log_errors]=$(grep -cE '(^| )ERROR |Exception in thread' "$BROKER_LOG" || true)
  log "$c: peak RSS ${R[$c.peak_rss_mb]} MB, CPU ${R[$c.cpu_s]}s, disk ${R[$c.disk_mb]} MB, stopped in $STOP_MS ms"
}

env_info() {
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); host: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(uname -sr)"
  echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- java: $(java -version 2>&1 | head -n 1)"
  echo "- disk under $WORK: $(df -P "$WORK" | awk 'NR==2 {print $1}')"
  echo "- broker JVM (both): $BROKER_HEAP_OPTS $BROKER_JVM_OPTS"
  echo "- tools JVM: $TOOL_HEAP_OPTS"
  echo "- Apache Kafka: $KAFKA_VERSION jars from Maven Central (bench/kafka/pom.xml)"
  [ -n "${PISTE_JAR_INFO:-}" ] && echo "- Piste: $PISTE_JAR_INFO"
  echo "- records: $RECORDS x $RECORD_SIZE B, topic $TOPIC with $PARTITIONS partitions, acks=all"
}

ENV_INFO="$(env_info)"
first=1
for c in $CASES; do
  [ $first -eq 1 ] || sleep "$PAUSE_S"
  first=0
  run_case "$c"
done

# ---------------------------------------------------------------------------------------------------------
row() {  # row LABEL METRIC [noratio]
  local label="$1" k="${R[kafka.$2]:-}" f="${R[piste-flush.$2]:-}" n="${R[piste-noflush.$2]:-}" rf rn
  rf="$(ratio "$f" "$k")"; rn="$(ratio "$n" "$k")"
  [ "${3:-}" = noratio ] && { rf=""; rn=""; }
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "${k:--}" "${f:--}" "$rf" "${n:--}" "$rn"
}
{
  echo "# Piste vs Apache Kafka $KAFKA_VERSION, side by side"
  echo
  echo "$ENV_INFO"
  echo
  echo "| metric | Kafka | Piste flush.on.ack=true | ratio P/K | Piste flush.on.ack=false | ratio P/K |"
  echo "|---|---|---|---|---|---|"
  row "start-up: process start to ready line (ms, lower is better)" start_ready_ms
  row "start-up: process start to port accepting (ms)" start_port_ms
  row "create topic, $PARTITIONS partitions, incl. tool JVM start (ms)" topic_ms
  row "produce: records/s (higher is better)" pp_rps
  row "produce: MB/s" pp_mbs
  row "produce: avg latency (ms, lower is better)" pp_avg
  row "produce: p50 latency (ms)" pp_p50
  row "produce: p99 latency (ms)" pp_p99
  row "produce: p99.9 latency (ms)" pp_p999
  row "produce: max latency (ms)" pp_max
  row "consume (ConsumerThroughput, no group): MB/s (higher is better)" ct_mbs
  row "consume (ConsumerThroughput): records/s" ct_rps
  row "consume (ConsumerThroughput): elapsed ms" ct_ms
  row "consume (ConsumerThroughput): first record after (ms)" ct_first
  row "consume (Kafka ConsumerPerformance, group): MB/s" cp_mbs
  row "broker peak RSS, VmHWM, after produce+consume (MB, lower is better)" peak_rss_mb
  row "broker CPU time user+sys, start to end of consume (s)" cpu_s
  row "data on disk after produce (MB, allocated)" disk_mb
  row "clean stop: SIGTERM to exit (ms)" stop_ms
  row "ERROR-level lines in the broker log" log_errors noratio
  row "machine load average (1 min) at start / end of the case" load noratio
  echo
  [ -n "${R[kafka.format_ms]:-}" ] && echo "Kafka also needed \`kafka-storage format\` before its first start: ${R[kafka.format_ms]} ms (not counted above)."
  for c in $CASES; do
    [ -n "${R[$c.cp_note]:-}" ] && echo "- $c ConsumerPerformance: ${R[$c.cp_note]}"
  done
  echo
  echo "Raw tool output:"
  echo
  for c in $CASES; do
    echo "- $c ProducerPerformance: \`${R[$c.pp_line]:-none}\`"
    echo "- $c ConsumerThroughput: \`${R[$c.ct_line]:-none}\`"
  done
  echo
  if [ ${#FAILURES[@]} -gt 0 ]; then
    echo "## FAILURES"
    echo
    for f in "${FAILURES[@]}"; do echo "- $f"; done
  else
    echo "No failures."
  fi
  echo
  echo "Logs: $WORK/<case>/{broker,topic-create,producer,consumer,consumer-perf}.log"
} | tee "$WORK/summary.md"
[ ${#FAILURES[@]} -eq 0 ]
