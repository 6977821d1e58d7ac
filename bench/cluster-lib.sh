# Three-node clusters on loopback for the bench scripts, Piste or Apache Kafka 4.4.0: combined broker+controller
# nodes with static voters (controller.quorum.voters), launched at once. Source after lib.sh, with kafka_classpath
# (and piste_snapshot for Piste) done.

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

# cluster_launch SYSTEM DIR: formats (Kafka) and launches three nodes in DIR/node-N; sets CLUSTER_LOGS (their logs),
# CLUSTER_BOOTSTRAP (host:port,...), CLUSTER_START (ms when the first was launched), FORMAT_TOTAL_MS (Kafka only).
# KAFKA_EXTRA_PROPS: lines added to each Kafka node's server.properties; PISTE_EXTRA_ARGS: more arguments to Piste.
cluster_launch() {
  local sys="$1" dir="$2" id
  local ports=() qports=() voters=""
  CLUSTER_LOGS=(); CLUSTER_BOOTSTRAP=""
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
${KAFKA_EXTRA_PROPS:-}
PROPS
      t0=$(now_ms)
      timeout 120 java $TOOLS_LOG4J -cp "$KAFKA_CP" kafka.tools.StorageTool format -t "$cluster_id" \
        -c "$node/server.properties" >"$node/format.log" 2>&1 || { cat "$node/format.log" >&2; return 1; }
      FORMAT_TOTAL_MS=$(( FORMAT_TOTAL_MS + $(now_ms) - t0 ))
    done
  fi
  CLUSTER_START=$(now_ms)
  for id in 1 2 3; do
    local node="$dir/node-$id" port="${ports[$((id - 1))]}"
    mkdir -p "$node/data"
    CLUSTER_LOGS+=("$node/broker.log")
    CLUSTER_BOOTSTRAP+="${CLUSTER_BOOTSTRAP:+,}127.0.0.1:$port"
    if [ "$sys" = kafka ]; then
      # shellcheck disable=SC2086
      launch_node "$node/broker.log" java $BROKER_HEAP_OPTS $BROKER_JVM_OPTS $KAFKA_BROKER_LOG4J -cp "$KAFKA_CP" \
        kafka.Kafka "$node/server.properties"
    else
      # shellcheck disable=SC2086
      launch_node "$node/broker.log" java $BROKER_HEAP_OPTS $BROKER_JVM_OPTS ${PISTE_SERVER_OPTS:-} ${PISTE_CDS_OPTS:-} -cp "$PISTE_CP" \
        io.piste.server.Main server --override "node.id=$id" --override "controller.quorum.voters=$voters" \
        --override "listeners=PLAINTEXT://127.0.0.1:$port" --override "log.dirs=$node/data" \
        --override metrics.http.listener=127.0.0.1:0 ${PISTE_EXTRA_ARGS:-}
    fi
  done
}

# cluster_wait_ready SYSTEM: prints the ms from CLUSTER_START until every node printed its ready line (Piste: "Piste
# broker ready on", once it joined the quorum, opened its logs, registered and was unfenced; Kafka: "Kafka Server
# started", once the broker was unfenced), or returns 1 after BROKER_START_TIMEOUT_S.
cluster_wait_ready() {
  local regex='Piste broker ready on'; [ "$1" = kafka ] && regex='Kafka Server started'
  wait_all "$regex" "$CLUSTER_START" "${CLUSTER_LOGS[@]}"
}

