#!/usr/bin/env bash
# Topic creation on a three-node cluster on this machine, Piste against Apache Kafka 4.4.0, side by side in one run:
# a client already connected (CreateTopicsLatency, two Admin clients warmed up first, so no JVM or connection start
# is counted) creates a topic of PARTITIONS partitions (default 2,000), replication factor 3, and one second later a
# one-partition topic; each is timed from its call to the cluster's answer: the second says how long other metadata
# changes wait while the cluster takes the large one. Each round starts fresh clusters, one system at a time,
# alternating.
#
# Usage: bench/cluster-create.sh   env: ROUNDS (default 2), SYSTEMS ("piste kafka"), PARTITIONS, WORK, KEEP_DATA=1,
#                                       PISTE_FROM (another built checkout to run as piste)
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
ROUNDS="${ROUNDS:-2}"
SYSTEMS="${SYSTEMS:-piste kafka}"
PARTITIONS="${PARTITIONS:-2000}"
WORK="${WORK:-/tmp/piste-bench/cluster-create-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$WORK"
log "work dir: $WORK"
kafka_classpath
case " $SYSTEMS " in *" piste "*) piste_snapshot "$WORK/piste-dist" "${PISTE_FROM:-}" ;; esac
source "$BENCH_DIR/cluster-lib.sh"

# One round of SYSTEM in DIR: sets BIG_MS and SMALL_MS, or returns 1.
run_round() {
  cluster_launch "$1" "$2" || return 1
  cluster_wait_ready "$1" >/dev/null || { stop_all >/dev/null; return 1; }
  run_tool 900 "$2/create.log" io.piste.bench.compare.CreateTopicsLatency "$CLUSTER_BOOTSTRAP" "$PARTITIONS" 3 1000 \
    || { cat "$2/create.log" >&2; stop_all >/dev/null; return 1; }
  BIG_MS="$(sed -n 's/.*big_ms=\([0-9]*\).*/\1/p' "$2/create.log")"
  SMALL_MS="$(sed -n 's/.*small_ms=\([0-9]*\).*/\1/p' "$2/create.log")"
  stop_all >/dev/null
  [ -n "$BIG_MS" ] && [ -n "$SMALL_MS" ]
}

RESULTS=()
for round in $(seq 1 "$ROUNDS"); do
  for sys in $SYSTEMS; do
    dir="$WORK/$sys-$round"; mkdir -p "$dir"
    if run_round "$sys" "$dir"; then
      RESULTS+=("$sys round $round: create $PARTITIONS partitions RF 3 ${BIG_MS} ms, a 1-partition topic meanwhile ${SMALL_MS} ms")
    else
      RESULTS+=("$sys round $round: FAILED (logs in $dir)")
    fi
    log "${RESULTS[-1]}"
    [ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$dir/node-"*/data
  done
done
printf '%s\n' "${RESULTS[@]}" | tee "$WORK/results.txt"
[ -n "${PISTE_JAR_INFO:-}" ] && echo "piste: $PISTE_JAR_INFO" | tee -a "$WORK/results.txt"
