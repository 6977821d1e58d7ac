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

PIDS=()
TIMEOUT_PIDS=()

# launch_node LOG CMD...: as lib.sh's launch, collecting the node's pids.
launch_node() {
  launch "$@"
  PIDS+=("$BROKER_PID")
  TIMEOUT_PIDS+=("$BROKER_TIMEOUT_PID")
}

# wait_all REGEX T0 LOG...: until every LOG has the ready line; prints the ms since T0, or returns 1.
wait_all() {
  local regex="$1" t0="$2"; shift 2
  local deadline=$(( $(now_ms) + BROKER_START_TIMEOUT_S * 1000 )) f ready
  while [ "$(now_ms)" -lt "$deadline" ]; do
    ready=0
    for f in "$@"; do [ "$(ready_count "$regex" "$f")" -gt 0 ] && ready=$((ready + 1)); done
    if [ "$ready" -eq "$#" ]; then echo $(( $(now_ms) - t0 )); return 0; fi
    sleep 0.02
  done
  return 1
}

# stop_all: SIGTERM to every node, waits for all; prints the ms it took.
stop_all() {
  local t0 pid deadline; t0=$(now_ms)
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$(( t0 + BROKER_STOP_TIMEOUT_S * 1000 ))
  for pid in "${PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.02; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  echo $(( $(now_ms) - t0 ))
  for pid in "${TIMEOUT_PIDS[@]}"; do
    for _ in $(seq 1 500); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
  done
  PIDS=(); TIMEOUT_PIDS=()
}

# One round of SYSTEM in DIR: sets START_MS, STOP_MS, FORMAT_TOTAL_MS (Kafka only).
run_round() {
  local sys="$1" dir="$2" id
  local ports=() qports=() voters="" logs=()
  for id in 1 2 3; do ports+=("$(free_port)"); qports+=("$(free_port)"); done
  for id in 1 2 3; do voters+="${voters:+,}$id@127.0.0.1:${qports[$((id - 1))]}"; done
  FORMAT_TOTAL_MS=0
  if [ "$sys" = kafka ]; then
    local cluster_id t0
    cluster_id="$(python3 -c 'import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"): break
print(s)')"
    for id in 1 2 3; do
      local node="$dir/node-$id" port="${ports[$((id - 1))]}" qport="${qports[$((id - 1))]}"
      mkdir -p "$node/data"
      cat >"$node/server.properties" <<PROPS
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$qport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$node/data
PROPS
      t0=$(now_ms)
      timeout 120 java $TOOLS_LOG4J -cp "$KAFKA_CP" kafka.tools.StorageTool format -t "$cluster_id" \
        -c "$node/server.properties" >"$node/format.log" 2>&1 || { cat "$node/format.log" >&2; return 1; }
      FORMAT_TOTAL_MS=$(( FORMAT_TOTAL_MS + $(now_ms) - t0 ))
    done
  fi
  local start; start=$(now_ms)
  for id in 1 2 3; do
    local node="$dir/node-$id" port="${ports[$((id - 1))]}"
    mkdir -p "$node/data"
    logs+=("$node/broker.log")
    if [ "$sys" = kafka ]; then
      # shellcheck disable=SC2086
      launch_node "$node/broker.log" java $BROKER_HEAP_OPTS $BROKER_JVM_OPTS $KAFKA_BROKER_LOG4J -cp "$KAFKA_CP" \
        kafka.Kafka "$node/server.properties"
    else
      # shellcheck disable=SC2086
      launch_node "$node/broker.log" java $BROKER_HEAP_OPTS $BROKER_JVM_OPTS ${PISTE_SERVER_OPTS:-} ${PISTE_CDS_OPTS:-} -cp "$PISTE_CP" \
        io.piste.server.Main server --override "node.id=$id" --override "controller.quorum.voters=$voters" \
        --override "listeners=PLAINTEXT://127.0.0.1:$port" --override "log.dirs=$node/data" \
        --override metrics.http.listener=127.0.0.1:0
    fi
  done
  local regex='Piste broker ready on'; [ "$sys" = kafka ] && regex='Kafka Server started'
  START_MS="$(wait_all "$regex" "$start" "${logs[@]}")" || { START_MS=""; stop_all >/dev/null; return 1; }
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
