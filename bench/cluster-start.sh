#!/usr/bin/env bash
# Start time of a three-node cluster on this machine, Piste against Apache Kafka 4.4.0, side by side in one run:
# three combined broker+controller nodes on loopback with static voters (controller.quorum.voters), started at
# once; the time is from the first launch until every node printed its ready line (Piste: "Piste broker ready on",
# printed once the node joined the quorum, opened its logs, registered and was unfenced; Kafka: "Kafka Server
# started", printed once the broker was unfenced). Kafka's storage format step (one JVM per node, which Piste does
# not need) is timed apart. Then the time from SIGTERM of all three until all exited. ROUNDS rounds, alternating.
#
# Usage: bench/cluster-start.sh            env: ROUNDS (default 2), SYSTEMS ("piste kafka"), WORK, KEEP_DATA=1
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

ROUNDS="${ROUNDS:-2}"
SYSTEMS="${SYSTEMS:-piste kafka}"
WORK="${WORK:-/tmp/piste-bench/cluster-start-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$WORK"
log "work dir: $WORK"
kafka_classpath
case " $SYSTEMS " in *" piste "*) piste_snapshot "$WORK/piste-dist" ;; esac

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cluster-lib.sh"

# One round of SYSTEM in DIR: sets START_MS, STOP_MS, FORMAT_TOTAL_MS (Kafka only).
run_round() {
  cluster_launch "$1" "$2" || return 1
  START_MS="$(cluster_wait_ready "$1")" || { START_MS=""; stop_all >/dev/null; return 1; }
  STOP_MS="$(stop_all)"
}

RESULTS=()
for round in $(seq 1 "$ROUNDS"); do
  for sys in $SYSTEMS; do
    dir="$WORK/$sys-$round"; mkdir -p "$dir"
    if run_round "$sys" "$dir"; then
      RESULTS+=("$sys round $round: start ${START_MS} ms, stop ${STOP_MS} ms, format ${FORMAT_TOTAL_MS} ms")
      log "${RESULTS[-1]}"
    else
      RESULTS+=("$sys round $round: FAILED (logs in $dir)")
      log "${RESULTS[-1]}"
    fi
    [ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$dir/node-"*/data
  done
done
printf '%s\n' "${RESULTS[@]}" | tee "$WORK/results.txt"
