#!/usr/bin/env bash
# The time from a partition leader's kill -9 to the producer's next acknowledgement on that partition, on a
# three-node cluster on this machine, Piste against Apache Kafka 4.4.0 side by side in one run. A topic of 6
# partitions, replication factor 3, min.insync.replicas=2; Kafka's VerifiableProducer writes 1,000 records a second
# (acks=all, idempotent) and prints each acknowledgement with its time; after WARMUP_S seconds the leader of partition
# 0 is killed with -9, and the first acknowledgement on partition 0 sent after that is timed against the kill. Both
# systems keep their defaults (broker.session.timeout.ms 9 s: a killed broker is fenced when its session expires).
# Each round starts fresh clusters, one system at a time, alternating.
#
# Usage: bench/cluster-failover.sh   env: ROUNDS (default 2), SYSTEMS ("piste kafka"), WARMUP_S (10), AFTER_S (30),
#                                         WORK
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

ROUNDS="${ROUNDS:-2}"
SYSTEMS="${SYSTEMS:-piste kafka}"
WARMUP_S="${WARMUP_S:-10}"
AFTER_S="${AFTER_S:-30}"
WORK="${WORK:-/tmp/piste-bench/cluster-failover-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$WORK"
log "work dir: $WORK"
kafka_classpath
case " $SYSTEMS " in *" piste "*) piste_snapshot "$WORK/piste-dist" ;; esac
source "$BENCH_DIR/cluster-lib.sh"

# leader_of_partition_zero LOG: the node id leading partition 0 of topic t, from kafka-topics --describe.
leader_of_partition_zero() {
  run_tool 60 "$1" org.apache.kafka.tools.TopicCommand --bootstrap-server "$CLUSTER_BOOTSTRAP" --describe --topic t \
    >/dev/null || return 1
  grep -oE 'Partition: 0[[:space:]]+Leader: [0-9]+' "$1" | grep -oE '[0-9]+$' | head -1
}

# One round of SYSTEM in DIR: sets FAILOVER_MS (kill to the next ack on partition 0) and GAP_MS (the longest time
# without any ack on partition 0 around the kill), or returns 1.
run_round() {
  local sys="$1" dir="$2" leader kill_ms producer_pid
  cluster_launch "$sys" "$dir" || return 1
  cluster_wait_ready "$sys" >/dev/null || { stop_all >/dev/null; return 1; }
  run_tool 120 "$dir/create.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$CLUSTER_BOOTSTRAP" \
    --create --topic t --partitions 6 --replication-factor 3 --config min.insync.replicas=2 \
    || { cat "$dir/create.log" >&2; stop_all >/dev/null; return 1; }
  printf 'enable.idempotence=true\nretries=2147483647\nlinger.ms=5\ndelivery.timeout.ms=120000\n' >"$dir/producer.properties"
  # shellcheck disable=SC2086
  timeout $((WARMUP_S + AFTER_S + 60)) java $TOOLS_LOG4J -cp "$KAFKA_CP" org.apache.kafka.tools.VerifiableProducer \
    --bootstrap-server "$CLUSTER_BOOTSTRAP" --topic t --throughput 1000 --max-messages -1 --acks -1 \
    --producer.config "$dir/producer.properties" >"$dir/acks.jsonl" 2>"$dir/producer.err" &
  producer_pid=$!
  sleep "$WARMUP_S"
  leader="$(leader_of_partition_zero "$dir/describe.log")" || { kill "$producer_pid"; stop_all >/dev/null; return 1; }
  kill_ms=$(now_ms)
  kill -KILL "${PIDS[$((leader - 1))]}"
  echo "$kill_ms" >"$dir/kill_ms"
  sleep "$AFTER_S"
  kill "$producer_pid" 2>/dev/null; wait "$producer_pid" 2>/dev/null
  read -r FAILOVER_MS GAP_MS < <(python3 - "$dir/acks.jsonl" "$kill_ms" <<'PY'
import json, sys
kill = int(sys.argv[2])
times = []
for line in open(sys.argv[1]):
    try:
        event = json.loads(line)
    except ValueError:
        continue
    if event.get("name") == "producer_send_success" and event.get("partition") == 0:
        times.append(int(event["timestamp"]))
times.sort()
# An ack within 100 ms of the kill answers a request the leader had served before it died (the callback runs late).
after = [t for t in times if t > kill + 100]
before = [t for t in times if t <= kill + 100]
if not after or not before:
    print("-1 -1")
else:
    gap = max(b - a for a, b in zip(times, times[1:]) if b > kill - 1000)
    print(after[0] - kill, gap)
PY
)
  stop_all >/dev/null
  [ "$FAILOVER_MS" -ge 0 ] 2>/dev/null
}

RESULTS=()
for round in $(seq 1 "$ROUNDS"); do
  for sys in $SYSTEMS; do
    dir="$WORK/$sys-$round"; mkdir -p "$dir"
    if run_round "$sys" "$dir"; then
      RESULTS+=("$sys round $round: next ack on the killed leader's partition ${FAILOVER_MS} ms after kill -9 (longest gap between its acks ${GAP_MS} ms)")
    else
      RESULTS+=("$sys round $round: FAILED (logs in $dir)")
    fi
    log "${RESULTS[-1]}"
    rm -rf "$dir/node-"*/data
  done
done
printf '%s\n' "${RESULTS[@]}" | tee "$WORK/results.txt"
