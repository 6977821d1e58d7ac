# Shared helpers for bench/compare, bench/restart-time.sh, bench/thread-cpu.sh and bench/cpu-split.sh. Source it; do not run it.
#
# Everything listens on 127.0.0.1 only. Every process is started under `timeout` and every wait is bounded.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PISTE_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
KAFKA_VERSION=4.4.0

# JVM settings, the same for both brokers: Kafka's defaults from kafka-server-start.sh / kafka-run-class.sh
# (KAFKA_HEAP_OPTS and KAFKA_JVM_PERFORMANCE_OPTS), so neither broker gets a better-tuned JVM.
BROKER_HEAP_OPTS="${BROKER_HEAP_OPTS:--Xmx1G -Xms1G}"
BROKER_JVM_OPTS="${BROKER_JVM_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
# Kafka's perf-test scripts give the tools -Xmx512M.
TOOL_HEAP_OPTS="${TOOL_HEAP_OPTS:--Xmx512M}"

BROKER_START_TIMEOUT_S="${BROKER_START_TIMEOUT_S:-120}"   # until the ready line
BROKER_LIFETIME_S="${BROKER_LIFETIME_S:-3600}"            # hard cap on any broker process
BROKER_STOP_TIMEOUT_S="${BROKER_STOP_TIMEOUT_S:-120}"     # SIGTERM -> exit, then SIGKILL

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# A free TCP port on 127.0.0.1 (asks the kernel for an ephemeral one).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------------------------------------
# Kafka side: classpath of Kafka 4.4.0 (broker + tools) from bench/kafka/pom.xml, plus the bench's own
# ConsumerThroughput program.
MVN="${MVN:-}"
pick_mvn() {
  if [ -z "$MVN" ]; then
    if command -v mvn >/dev/null 2>&1; then MVN=mvn; else MVN="$PISTE_ROOT/mvnw"; fi
  fi
}

# Sets KAFKA_CP (Kafka's jars) and TOOLS_CP (KAFKA_CP + the bench jar). Builds bench/kafka when needed.
kafka_classpath() {
  pick_mvn
  local cpfile="$BENCH_DIR/kafka/target/kafka.classpath"
  local jar="$BENCH_DIR/kafka/target/piste-bench-kafka-0.1.0-SNAPSHOT.jar"
  if [ ! -s "$cpfile" ] || [ ! -f "$jar" ] || [ "$BENCH_DIR/kafka/pom.xml" -nt "$cpfile" ] \
      || [ -n "$(find "$BENCH_DIR/kafka/src" -newer "$jar" -type f -print -quit)" ]; then
    log "resolving Apache Kafka $KAFKA_VERSION and building bench/kafka ($MVN)"
    timeout 900 "$MVN" -q -B -Dstyle.color=never -f "$BENCH_DIR/kafka/pom.xml" package dependency:build-classpath \
      -Dmdep.outputFile="$cpfile" >&2 || die "bench/kafka build failed"
  fi
  KAFKA_CP="$(cat "$cpfile")"
  TOOLS_CP="$KAFKA_CP:$jar"
}

KAFKA_BROKER_LOG4J="-Dlog4j2.configurationFile=$BENCH_DIR/kafka/log4j2-broker.properties"
TOOLS_LOG4J="-Dlog4j2.configurationFile=$BENCH_DIR/kafka/log4j2-tools.properties"

# run_tool TIMEOUT_S OUTFILE MAINCLASS ARGS...: a Kafka tool (or the bench consumer) on TOOLS_CP.
# stdout+stderr go to OUTFILE; returns the tool's exit code (124 on timeout).
run_tool() {
  local t="$1" out="$2"; shift 2
  # shellcheck disable=SC2086
  timeout --kill-after=10 "$t" java $TOOL_HEAP_OPTS $TOOLS_LOG4J -cp "$TOOLS_CP" "$@" >"$out" 2>&1
}

# ---------------------------------------------------------------------------------------------------------
# Piste side: a private copy of the built jars, so that a rebuild by someone else during the run does not
# change the binary under test half-way.
# piste_snapshot DESTDIR [BUILD]: copies this checkout's build (built first when missing, or with PISTE_BUILD=1),
# or another, already built one (BUILD: a checkout, or its piste-server/target; taken as it is), into DESTDIR.
# Sets PISTE_CP, PISTE_SERVER_OPTS, PISTE_CDS_OPTS (used by start_piste) and PISTE_JAR_INFO.
piste_snapshot() {
  local dest="$1" given="${2:-}" target="$PISTE_ROOT/piste-server/target" options="$PISTE_ROOT/bin/server-jvm.options"
  local jar
  if [ -n "$given" ]; then
    target="$given"; [ -d "$given/piste-server/target" ] && target="$given/piste-server/target"
  fi
  jar="$(ls "$target"/piste-server-*.jar 2>/dev/null | grep -v -- '-sources' | head -n 1 || true)"
  if [ -n "$given" ]; then
    { [ -n "$jar" ] && [ -d "$target/lib" ]; } \
      || die "no Piste build in $given (piste-server-*.jar and lib/, or piste-server/target with them)"
    # The JVM options of that build's own bin/piste, when the directory is in a checkout.
    if [ -f "$target/../../bin/server-jvm.options" ]; then
      options="$target/../../bin/server-jvm.options"
    else
      log "note: no bin/server-jvm.options next to $target; using this checkout's"
    fi
  elif [ -z "$jar" ] || [ ! -d "$target/lib" ] || [ "${PISTE_BUILD:-0}" = 1 ]; then
    log "building Piste (./mvnw -B -q -DskipTests -pl piste-server -am package)"
    (cd "$PISTE_ROOT" && timeout 1200 ./mvnw -B -q -DskipTests -pl piste-server -am package) >&2 \
      || die "Piste build failed"
    jar="$(ls "$target"/piste-server-*.jar | grep -v -- '-sources' | head -n 1)"
  elif [ -n "$(find "$PISTE_ROOT"/piste-storage/src/main "$PISTE_ROOT"/piste-broker/src/main \
        "$PISTE_ROOT"/piste-cluster/src/main "$PISTE_ROOT"/piste-server/src/main -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
    log "note: Piste sources are newer than $jar; benchmarking the built jar as it is (PISTE_BUILD=1 rebuilds)"
  fi
  mkdir -p "$dest/lib"
  cp "$jar" "$dest/"
  cp "$target"/lib/*.jar "$dest/lib/"
  PISTE_CP="$dest/$(basename "$jar"):$dest/lib/*"
  PISTE_JAR_INFO="$(basename "$jar") built $(date -u -r "$jar" +%Y-%m-%dT%H:%M:%SZ), sha256 $(sha256sum "$jar" | cut -c1-12)"
  PISTE_JAR_INFO="$PISTE_JAR_INFO; piste-broker $(sha256sum "$dest"/lib/piste-broker-*.jar | cut -c1-12), piste-storage $(sha256sum "$dest"/lib/piste-storage-*.jar | cut -c1-12)"
  # The JVM options bin/piste adds for `piste server`, from the build's checkout (copied with the jars).
  cp "$options" "$dest/server-jvm.options"
  PISTE_SERVER_OPTS="$(grep -vE '^[[:space:]]*(#|$)' "$dest/server-jvm.options" | tr '\n' ' ')"
  PISTE_JAR_INFO="$PISTE_JAR_INFO; Piste's own JVM options (bin/server-jvm.options) after the brokers': ${PISTE_SERVER_OPTS% }"
  PISTE_CDS_OPTS=""
  if [ "${PISTE_CDS:-on}" != off ]; then
    piste_cds_archive "$dest/piste.jsa"
    if [ -s "$dest/piste.jsa" ]; then
      PISTE_CDS_OPTS="-XX:SharedArchiveFile=$dest/piste.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
      PISTE_JAR_INFO="$PISTE_JAR_INFO; started with the AppCDS archive bin/piste makes (PISTE_CDS=off: without)"
    else
      log "note: no AppCDS archive for Piste (training start failed); Piste starts without one"
      PISTE_JAR_INFO="$PISTE_JAR_INFO; started without an AppCDS archive (training failed)"
    fi
  else
    PISTE_JAR_INFO="$PISTE_JAR_INFO; started without an AppCDS archive (PISTE_CDS=off)"
  fi
}

# piste_cds_archive FILE: what bin/piste does once per build (class data sharing for `piste server`): a training
# start of the snapshot on a free loopback port, with the brokers' JVM options, answers one Metadata request and
# stops; the classes it loaded are archived in FILE, which later starts map instead of loading them again.
piste_cds_archive() {
  local archive="$1" work pid port i
  work="$(mktemp -d)"
  # shellcheck disable=SC2086
  timeout 120 java $BROKER_HEAP_OPTS $BROKER_JVM_OPTS $PISTE_SERVER_OPTS -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off \
    -Xlog:cds+dynamic=off -cp "$PISTE_CP" io.piste.server.Main server --override "log.dirs=$work/data" \
    --override listeners=PLAINTEXT://127.0.0.1:0 --override metrics.http.listener=127.0.0.1:0 >"$work/out" 2>&1 &
  pid=$!
  port=""
  for i in $(seq 1 600); do
    port="$(sed -n 's/.*ready on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/out")"
    if [ -n "$port" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -n "$port" ] && exec 3<>"/dev/tcp/127.0.0.1/$port"; then
    # A Metadata v1 request for every topic (bin/piste's), so the request path's classes are archived too.
    printf '\x00\x00\x00\x13\x00\x03\x00\x01\x00\x00\x00\x01\x00\x05piste\xff\xff\xff\xff' >&3
    timeout 10 head -c 4 <&3 >/dev/null || true
    exec 3<&-
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -n "$port" ] || rm -f "$archive"
  rm -rf "$work"
}

# ---------------------------------------------------------------------------------------------------------
# Brokers. After start_*: BROKER_PID (the java process), BROKER_LOG, BROKER_PORT, START_READY_MS
# (process start -> ready line), START_PORT_MS (process start -> port accepts a TCP connection).
# Return 1 (with BROKER_ERROR set) when the broker did not get ready.

# kafka_format DIR PORT CONTROLLER_PORT: writes DIR/server.properties and formats DIR/data (KRaft,
# combined broker+controller, node 1). Sets FORMAT_MS.
kafka_format() {
  local dir="$1" port="$2" cport="$3"
  mkdir -p "$dir/data"
  # Kafka's shipped config/server.properties for a single combined node, minus the lines that only restate
  # defaults; the replication factors of the internal topics are 1 as there, since there is one broker.
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
EOF
  local id t0
  # What `kafka-storage random-uuid` prints (a random UUID, base64url without padding, not starting with '-'),
  # without starting a JVM for it.
  id="$(python3 -c 'import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"): break
print(s)')" || return 1
  t0=$(now_ms)
  timeout 120 java $TOOLS_LOG4J -cp "$KAFKA_CP" kafka.tools.StorageTool format -t "$id" \
    -c "$dir/server.properties" --standalone >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; return 1; }
  FORMAT_MS=$(( $(now_ms) - t0 ))
}

# ready_count REGEX FILE: how many ready lines FILE has (a restart appends to the same log).
ready_count() { local n; n=$(grep -cE "$1" "$2" 2>/dev/null); echo "${n:-0}"; }

# wait_ready READY_REGEX T0_MS BASE: polls the log and the port every 20 ms until the log has more than BASE
# ready lines.
wait_ready() {
  local regex="$1" t0="$2" base="${3:-0}" deadline=$(( $(now_ms) + BROKER_START_TIMEOUT_S * 1000 ))
  START_READY_MS=""; START_PORT_MS=""
  while [ "$(now_ms)" -lt "$deadline" ]; do
    if [ -z "$START_PORT_MS" ] && port_open "$BROKER_PORT"; then START_PORT_MS=$(( $(now_ms) - t0 )); fi
    if [ "$(ready_count "$regex" "$BROKER_LOG")" -gt "$base" ]; then
      START_READY_MS=$(( $(now_ms) - t0 ))
      [ -z "$START_PORT_MS" ] && port_open "$BROKER_PORT" && START_PORT_MS=$START_READY_MS
      return 0
    fi
    if ! kill -0 "$BROKER_PID" 2>/dev/null; then
      BROKER_ERROR="broker process exited before it was ready (see $BROKER_LOG)"; return 1
    fi
    sleep 0.02
  done
  BROKER_ERROR="no ready line within ${BROKER_START_TIMEOUT_S}s (see $BROKER_LOG)"
  return 1
}

# The brokers' open-files limit (ulimit -n, soft and hard). Piste holds descriptors per segment file and Kafka one
# per segment, so thousands of partitions need more than a login shell's limit (20,000 on the bench machine). Raising
# the hard limit needs root (or CAP_SYS_RESOURCE); otherwise the broker gets the hard limit it may have. bench/compare
# records the limit a broker really got (nofile_limit, from /proc/PID/limits).
BROKER_NOFILE="${BROKER_NOFILE:-1048576}"
# What a broker really gets: BROKER_NOFILE when this shell may raise its limit that far, else the hard limit.
BROKER_NOFILE_EFFECTIVE="$( (ulimit -n "$BROKER_NOFILE" 2>/dev/null && ulimit -n) || ulimit -Hn)"

# launch LOGFILE CMD...: starts CMD under timeout in the background, with ulimit -n BROKER_NOFILE (or the highest
# allowed), sets BROKER_PID to the java child and LAUNCH_EPOCH_MS to the wall-clock time (ms since the epoch) just
# before the launch.
launch() {
  BROKER_LOG="$1"; shift
  LAUNCH_EPOCH_MS=$(now_ms)
  # The subshell execs timeout, so $! is timeout's process and the broker is its child, as without the ulimit.
  ( ulimit -n "$BROKER_NOFILE" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
    exec timeout --kill-after=30 "$BROKER_LIFETIME_S" "$@" ) >>"$BROKER_LOG" 2>&1 &
  BROKER_TIMEOUT_PID=$!
  disown "$BROKER_TIMEOUT_PID" 2>/dev/null || true   # no "Killed" job notice after kill -9; reaped in stop_broker
  local i
  BROKER_PID=""
  for i in $(seq 1 200); do
    # Only once the subshell has exec'd timeout: before that, its child may be the short-lived fork of the
    # $(ulimit -Hn) above, which a loaded machine leaves visible long enough to be taken for the broker.
    if [ "$(cat "/proc/$BROKER_TIMEOUT_PID/comm" 2>/dev/null)" = timeout ]; then
      BROKER_PID="$(pgrep -P "$BROKER_TIMEOUT_PID" | head -n 1 || true)"
      [ -n "$BROKER_PID" ] && break
    fi
    sleep 0.005
  done
  [ -n "$BROKER_PID" ] || BROKER_PID=$BROKER_TIMEOUT_PID
}

# start_kafka DIR PORT: DIR/server.properties must exist (kafka_format).
start_kafka() {
  local dir="$1"; BROKER_PORT="$2"; BROKER_ERROR=""
  local re='Kafka Server started' base t0
  base=$(ready_count "$re" "$dir/broker.log"); t0=$(now_ms)
  # shellcheck disable=SC2086
  launch "$dir/broker.log" java $BROKER_HEAP_OPTS $BROKER_JVM_OPTS $KAFKA_BROKER_LOG4J -cp "$KAFKA_CP" \
    kafka.Kafka "$dir/server.properties"
  wait_ready "$re" "$t0" "$base"
}

# start_piste DIR PORT [--override K=V ...]: data in DIR/data.
start_piste() {
  local dir="$1"; BROKER_PORT="$2"; shift 2; BROKER_ERROR=""
  mkdir -p "$dir/data"
  local re='Piste broker ready on' base t0
  base=$(ready_count "$re" "$dir/broker.log"); t0=$(now_ms)
  # shellcheck disable=SC2086
  launch "$dir/broker.log" java $BROKER_HEAP_OPTS $BROKER_JVM_OPTS ${PISTE_SERVER_OPTS:-} ${PISTE_CDS_OPTS:-} -cp "$PISTE_CP" io.piste.server.Main server \
    --override "listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT" --override "log.dirs=$dir/data" \
    --override metrics.http.listener=127.0.0.1:0 "$@"
  wait_ready "$re" "$t0" "$base"
}

# The systems bench/compare and bench/loop-cpu run: kafka (defaults), kafka-flush (log.flush.interval.messages=1:
# Kafka fsyncs after every append before it answers), piste-pagecache, piste-durable (Piste's default).
# prepare_system SYSTEM DIR PORT: what must happen before the start (Kafka's storage format).
prepare_system() {
  case "$1" in
    kafka|kafka-flush)
      kafka_format "$2" "$3" "$(free_port)" || return 1
      if [ "$1" = kafka-flush ]; then echo "log.flush.interval.messages=1" >>"$2/server.properties"; fi ;;
  esac
  return 0
}

# start_system_broker SYSTEM DIR PORT: starts it (start_kafka or start_piste, with PISTE_OVERRIDES for Piste).
start_system_broker() {
  case "$1" in
    kafka|kafka-flush) start_kafka "$2" "$3" ;;
    piste-durable) start_piste "$2" "$3" --override log.flush.on.ack=true ${PISTE_OVERRIDES:-} ;;
    piste-pagecache) start_piste "$2" "$3" --override log.flush.on.ack=false ${PISTE_OVERRIDES:-} ;;
    piste-base-durable|piste-base-pagecache)
      # The baseline build (bench/compare --baseline-jars): the same start with that build's jars, JVM options and
      # AppCDS archive (BASE_PISTE_*, from its piste_snapshot). Assignments before a function call hold only
      # for that call, so the next start of the other build is not affected.
      PISTE_CP="$BASE_PISTE_CP" PISTE_SERVER_OPTS="$BASE_PISTE_SERVER_OPTS" PISTE_CDS_OPTS="$BASE_PISTE_CDS_OPTS" \
        start_system_broker "piste-${1#piste-base-}" "$2" "$3" ;;
    *) BROKER_ERROR="unknown system $1"; return 1 ;;
  esac
}

# cpu_ticks PID: the CPU time process PID has used so far, user + system (fields 14 and 15 of /proc/PID/stat,
# all its threads), in clock ticks (getconf CLK_TCK per second); empty when the process is gone.
cpu_ticks() {
  # Fields counted after the command name's closing parenthesis: a name with spaces cannot shift them.
  sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'
}

# fresh_broker_with_topic DATA PARTITIONS LIFETIME_S [--override K=V ...]: `bin/piste server` on 127.0.0.1:9092 (its
# default listener; nothing else may use that port) with data in DATA (emptied first), its log in DATA.log, the given
# overrides and at most LIFETIME_S seconds to live; then topic t of PARTITIONS partitions. Sets PID (the broker's JVM)
# and CP (bench/kafka's classpath, built by any bench script run once). For bench/thread-cpu.sh and bench/cpu-split.sh.
fresh_broker_with_topic() {
  local data=$1 parts=$2 lifetime=$3 i
  shift 3
  rm -rf "$data" "$data.log"; mkdir -p "$data"
  timeout "$lifetime" "$PISTE_ROOT/bin/piste" server --override "log.dirs=$data" --override metrics.http.listener= \
    "$@" >"$data.log" 2>&1 &
  for i in $(seq 1 100); do grep -q "ready on" "$data.log" && break; sleep 0.2; done
  PID=$(pgrep -f "java.*log.dirs=$data" | head -1)
  CP="$(cat "$BENCH_DIR/kafka/target/kafka.classpath")"
  # shellcheck disable=SC2086
  java $TOOL_HEAP_OPTS -cp "$CP" org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --create \
    --topic t --partitions "$parts" >/dev/null 2>&1
}

# broker_stats: peak RSS (VmHWM), current RSS, CPU seconds (user+sys) of BROKER_PID so far.
broker_stats() {
  local st="/proc/$BROKER_PID/status"
  PEAK_RSS_KB="$(awk '/^VmHWM:/ {print $2}' "$st" 2>/dev/null || echo '')"
  RSS_KB="$(awk '/^VmRSS:/ {print $2}' "$st" 2>/dev/null || echo '')"
  local tck; tck="$(getconf CLK_TCK)"
  CPU_S="$(awk -v t="$tck" '{printf "%.1f", ($14+$15)/t}' "/proc/$BROKER_PID/stat" 2>/dev/null || echo '')"
}

# stop_broker [SIGNAL]: SIGTERM (default) and wait; SIGKILL after BROKER_STOP_TIMEOUT_S. Sets STOP_MS.
stop_broker() {
  local sig="${1:-TERM}" t0; t0=$(now_ms)
  STOP_MS=""
  kill -"$sig" "$BROKER_PID" 2>/dev/null || true
  local deadline=$(( t0 + BROKER_STOP_TIMEOUT_S * 1000 ))
  while kill -0 "$BROKER_PID" 2>/dev/null && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.02; done
  if kill -0 "$BROKER_PID" 2>/dev/null; then
    log "broker $BROKER_PID did not stop within ${BROKER_STOP_TIMEOUT_S}s after SIG$sig: SIGKILL"
    STOP_MS="timeout"
    kill -KILL "$BROKER_PID" 2>/dev/null || true
  else
    STOP_MS=$(( $(now_ms) - t0 ))
  fi
  local i
  for i in $(seq 1 500); do kill -0 "$BROKER_TIMEOUT_PID" 2>/dev/null || break; sleep 0.02; done
}

# Parses ProducerPerformance's final summary line (the one with percentiles) from FILE into PP_* variables.
parse_producer_perf() {
  local line; line="$(grep -E 'records sent,.*50th' "$1" | tail -n 1)"
  PP_LINE="$line"
  PP_RECORDS="$(sed -nE 's/^([0-9]+) records sent.*/\1/p' <<<"$line")"
  PP_RPS="$(sed -nE 's/.*sent, ([0-9.]+) records\/sec.*/\1/p' <<<"$line")"
  PP_MBS="$(sed -nE 's/.*\(([0-9.]+) MB\/sec\).*/\1/p' <<<"$line")"
  PP_AVG="$(sed -nE 's/.* ([0-9.]+) ms avg latency.*/\1/p' <<<"$line")"
  PP_MAX="$(sed -nE 's/.* ([0-9.]+) ms max latency.*/\1/p' <<<"$line")"
  PP_P50="$(sed -nE 's/.* ([0-9]+) ms 50th.*/\1/p' <<<"$line")"
  PP_P99="$(sed -nE 's/.* ([0-9]+) ms 99th.*/\1/p' <<<"$line")"
  PP_P999="$(sed -nE 's/.* ([0-9]+) ms 99.9th.*/\1/p' <<<"$line")"
}

# Parses ConsumerThroughput's key=value line from FILE into CT_* variables.
parse_consumer_throughput() {
  local line; line="$(grep -E '^records=' "$1" | tail -n 1)"
  CT_LINE="$line"
  CT_RECORDS="$(sed -nE 's/.*records=([0-9]+).*/\1/p' <<<"$line")"
  CT_MBS="$(sed -nE 's/.*mb_per_sec=([0-9.]+).*/\1/p' <<<"$line")"
  CT_RPS="$(sed -nE 's/.*records_per_sec=([0-9.]+).*/\1/p' <<<"$line")"
  CT_MS="$(sed -nE 's/.*elapsed_ms=([0-9.]+).*/\1/p' <<<"$line")"
  CT_FIRST="$(sed -nE 's/.*first_record_ms=([0-9.-]+).*/\1/p' <<<"$line")"
  CT_ENDSUM="$(sed -nE 's/.*end_offset_sum=([0-9]+).*/\1/p' <<<"$line")"
}

# wait_mark FILE TEXT PID: blocks until FILE has a line with TEXT, or process PID (the one writing it) has ended,
# at most 10 minutes; without a polling loop that would disturb a latency run.
wait_mark() { timeout 600 tail -F --pid="$3" "$1" 2>/dev/null | grep -m1 -q "$2"; }

# ratio A B: A/B with 2 decimals, or "n/a".
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0 || a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/) print "n/a"; else printf "%.2f", a / b }'
}
