#!/usr/bin/env bash
# Replicated produce on a three-node cluster on this machine, Piste against Apache Kafka 4.4.0, side by side in one
# run: a topic of PARTITIONS partitions (default 6), replication factor 3, min.insync.replicas=2; Kafka's
# ProducerPerformance sends RECORDS records of 1 KiB (default 300,000) with acks=all and linger.ms=5 through all three
# nodes. Systems: piste (durable by default: each replica fsyncs before the leader counts it), kafka (its default,
# the page cache), kafka-flush (the topic with flush.messages=1: Kafka fsyncs each append on every replica). Each
# round starts fresh clusters, one system at a time, alternating; reports MB/s and the p99 latency.
#
# Usage: bench/cluster-produce.sh   env: ROUNDS (default 2), SYSTEMS ("piste kafka kafka-flush"), RECORDS, PARTITIONS,
#                                        WORK, KEEP_DATA=1, PISTE_FROM (another built checkout to run as piste)
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

ROUNDS="${ROUNDS:-2}"
SYSTEMS="${SYSTEMS:-piste kafka kafka-flush}"
RECORDS="${RECORDS:-300000}"
PARTITIONS="${PARTITIONS:-6}"
WORK="${WORK:-/tmp/piste-bench/cluster-produce-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$WORK"
log "work dir: $WORK"
kafka_classpath
case " $SYSTEMS " in *" piste "*) piste_snapshot "$WORK/piste-dist" "${PISTE_FROM:-}" ;; esac
source "$BENCH_DIR/cluster-lib.sh"

# One round of VARIANT in DIR: sets MBS and P99, or returns 1.
run_round() {
  local variant="$1" dir="$2" sys="$1" topic_configs="min.insync.replicas=2"
  if [ "$variant" = kafka-flush ]; then
    sys=kafka
    topic_configs+=" flush.messages=1"
  fi
  cluster_launch "$sys" "$dir" || return 1
  cluster_wait_ready "$sys" >/dev/null || { stop_all >/dev/null; return 1; }
  local config_args=() c
  for c in $topic_configs; do config_args+=(--config "$c"); done
  run_tool 120 "$dir/create.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$CLUSTER_BOOTSTRAP" \
    --create --topic t --partitions "$PARTITIONS" --replication-factor 3 "${config_args[@]}" \
    || { cat "$dir/create.log" >&2; stop_all >/dev/null; return 1; }
  run_tool 900 "$dir/produce.log" org.apache.kafka.tools.ProducerPerformance --topic t --num-records "$RECORDS" \
    --record-size 1024 --throughput -1 \
    --producer-props bootstrap.servers="$CLUSTER_BOOTSTRAP" acks=all linger.ms=5 \
    || { tail -5 "$dir/produce.log" >&2; stop_all >/dev/null; return 1; }
  parse_producer_perf "$dir/produce.log"
  MBS="$PP_MBS"; P99="$PP_P99"
  stop_all >/dev/null
}

RESULTS=()
for round in $(seq 1 "$ROUNDS"); do
  for variant in $SYSTEMS; do
    dir="$WORK/$variant-$round"; mkdir -p "$dir"
    if run_round "$variant" "$dir"; then
      RESULTS+=("$variant round $round: ${MBS} MB/s, p99 ${P99} ms ($RECORDS x 1 KiB, $PARTITIONS partitions, RF 3)")
    else
      RESULTS+=("$variant round $round: FAILED (logs in $dir)")
    fi
    log "${RESULTS[-1]}"
    [ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$dir/node-"*/data
  done
done
printf '%s\n' "${RESULTS[@]}" | tee "$WORK/results.txt"
