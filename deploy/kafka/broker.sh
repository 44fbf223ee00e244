#!/usr/bin/env bash
# Local single-node Apache Kafka 4.x broker (KRaft, broker+controller in one JVM) from Maven Central
# jars, for development and CI. No Docker needed: Java 17+ and Maven 3.8+.
#
#   deploy/kafka/broker.sh fetch    download the jars into deploy/kafka/lib (skipped when complete)
#   deploy/kafka/broker.sh start    fetch if needed, format the data dir once, start in the
#                                   background, wait until it answers; no-op if already running
#   deploy/kafka/broker.sh status   "running"/"not running" + bootstrap address; exit 0/1
#   deploy/kafka/broker.sh stop     SIGTERM, wait up to 60 s, then SIGKILL; harmless if not running
#   deploy/kafka/broker.sh reset    stop and delete the data dir
#
# Environment (all optional):
#   KAFKA_PORT=9092  KAFKA_CONTROLLER_PORT=9093  (both bound to 127.0.0.1)
#   KAFKA_DATA_DIR=deploy/kafka/data   (server.properties, KRaft logs, PID file, logs/server.log)
#   KAFKA_HEAP_OPTS="-Xms512m -Xmx512m"   KAFKA_OPTS (extra JVM flags)
#   KAFKA_START_TIMEOUT=120  KAFKA_STOP_TIMEOUT=60  (seconds)
#   PYTHON (readiness probe with confluent_kafka; default: <repo>/.venv/bin/python, else python3;
#           when confluent_kafka does not import, a raw ApiVersions request over bash /dev/tcp)
#   JAVA_HOME, MVN (default mvn), MVN_ARGS (extra mvn flags, e.g. -o)
#
# Secured mode (opt-in; the default is one PLAINTEXT listener and no authorizer):
#   KAFKA_SECURITY=sasl_ssl   SASL_SSL listener with SCRAM-SHA-512 for clients and inter-broker traffic,
#                             StandardAuthorizer, super.users=User:$KAFKA_ADMIN_USER only,
#                             allow.everyone.if.no.acl.found=false (server.sasl_ssl.properties.in)
#   KAFKA_SCRAM_USERS_FILE    lines "name password" (password: [A-Za-z0-9._~-]+), bootstrapped as SCRAM
#                             users when the data dir is formatted; must include the admin user
#   KAFKA_ADMIN_USER=admin    the super user; also the inter-broker and broker->controller principal
#   KAFKA_SSL_KEYSTORE        PEM: the server's unencrypted PKCS#8 key, then its certificate (SAN 127.0.0.1)
#   KAFKA_SSL_CA              PEM: the CA certificate that signed it (clients need it too)
# A data dir formatted in one mode refuses to start in the other.
#
# Exit codes: 0 ok; 1 failed / not running; 2 usage error or port taken by something else;
#             3 java (17+) or mvn missing -> callers may fall back (e.g. skip Kafka tests).
set -euo pipefail

HERE="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd -- "$HERE/../.." && pwd -P)"
LIB="$HERE/lib"
POM="$HERE/pom.xml"
TEMPLATE="$HERE/server.properties.in"
SECURED_TEMPLATE="$HERE/server.sasl_ssl.properties.in"
LOG4J_CONF="$HERE/log4j2.properties"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m}"
KAFKA_OPTS="${KAFKA_OPTS:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-60}"
MVN="${MVN:-mvn}"
KAFKA_SECURITY="${KAFKA_SECURITY:-plaintext}"
KAFKA_ADMIN_USER="${KAFKA_ADMIN_USER:-admin}"
MVN_ARGS="${MVN_ARGS:-}"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi

DATA="${KAFKA_DATA_DIR:-$HERE/data}"
case "$DATA" in /*) ;; *) DATA="$(pwd -P)/$DATA" ;; esac   # absolute, relative to the caller's cwd
DATA="${DATA%/}"
KRAFT_DIR="$DATA/kraft"            # log.dirs (KRaft metadata log + topic data)
LOGS_DIR="$DATA/logs"              # kafka.logs.dir: server.log (INFO), kafka.out (JVM stdout/stderr)
PROPS="$DATA/server.properties"
PIDFILE="$DATA/broker.pid"
STATEFILE="$DATA/broker.state"     # bootstrap address + cluster id of the running/last broker
MARKER="$DATA/.intentwatch-kafka"  # marks a data dir this script owns (reset only deletes those)
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

say() { printf 'kafka: %s\n' "$*"; }
die() { local rc="$1"; shift; printf 'kafka: %s\n' "$*" >&2; exit "$rc"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

require_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die 3 "java not found (need Java 17+; set JAVA_HOME or install openjdk-17-jre-headless)"
  local v major
  v="$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')"
  major="${v%%.*}"; [[ "$major" == 1 ]] && major="$(cut -d. -f2 <<<"$v")"
  [[ "$major" =~ ^[0-9]+$ && "$major" -ge 17 ]] || die 3 "java $v found at $(command -v "$JAVA"), Kafka 4.x needs Java 17+"
}
require_mvn() {
  command -v "$MVN" >/dev/null 2>&1 || die 3 "mvn not found (need Maven 3.8+ to fetch the Kafka jars into $LIB)"
}

# ---------------------------------------------------------------- fetch
pom_sum() { cksum <"$POM" | awk '{ print $1 "-" $2 }'; }
lib_complete() {
  [[ -f "$LIB/.complete" && "$(cat "$LIB/.complete")" == "$(pom_sum)" ]] || return 1
  compgen -G "$LIB/kafka_2.13-*.jar" >/dev/null && compgen -G "$LIB/log4j-slf4j*-impl-*.jar" >/dev/null \
    && compgen -G "$LIB/log4j-core-*.jar" >/dev/null
}
kafka_version() { local j; j="$(compgen -G "$LIB/kafka_2.13-*.jar" | head -1)"; j="${j##*/kafka_2.13-}"; echo "${j%.jar}"; }

cmd_fetch() {
  if lib_complete; then say "jars already in $LIB (Kafka $(kafka_version))"; return 0; fi
  require_java; require_mvn
  local t0 tmp; t0="$(now)"; tmp="$HERE/.lib.tmp.$$"
  rm -rf -- "$tmp"; mkdir -p -- "$tmp"
  say "fetching Kafka jars with Maven into $LIB ..."
  # shellcheck disable=SC2086
  if ! "$MVN" -B -q -Dstyle.color=never $MVN_ARGS -f "$POM" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$tmp.log" | tail -n 40 >&2
    rm -rf -- "$tmp" "$tmp.log"; die 1 "mvn dependency:copy-dependencies failed (output above)"
  fi
  rm -f -- "$tmp.log"
  pom_sum >"$tmp/.complete"
  rm -rf -- "$LIB"; mv -- "$tmp" "$LIB"
  lib_complete || die 1 "fetch finished but $LIB lacks kafka_2.13/log4j jars"
  say "fetched $(ls "$LIB"/*.jar | wc -l) jars (Kafka $(kafka_version)) in $(elapsed "$t0") s"
}

# ---------------------------------------------------------------- process helpers
# Alive and not a zombie (PID 1 of some containers does not reap).
alive() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/stat" ]]; then
    local st; st="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
    [[ "$st" != Z && "$st" != X ]] || return 1
  fi
}
# Our broker: alive, and its command line is kafka.Kafka with this data dir's server.properties.
is_ours() {
  local pid="$1" args
  alive "$pid" || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then args="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
  else args="$(ps -o args= -p "$pid" 2>/dev/null || true)"; fi
  [[ "$args" == *kafka.Kafka*"$PROPS"* ]]
}
read_pid() { [[ -f "$PIDFILE" ]] && tr -dc '0-9' <"$PIDFILE" || true; }
running_pid() { local p; p="$(read_pid)"; [[ -n "$p" ]] && is_ours "$p" && echo "$p"; }
state_get() { [[ -f "$STATEFILE" ]] && sed -n "s/^$1=//p" "$STATEFILE" | head -1 || true; }

tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

HAVE_CK=""
have_confluent() {
  if [[ -z "$HAVE_CK" ]]; then
    if "$PYTHON" -c 'import confluent_kafka' >/dev/null 2>&1; then HAVE_CK=yes; else HAVE_CK=no; fi
  fi
  [[ "$HAVE_CK" == yes ]]
}
# Does a Kafka broker answer a metadata request at $1 (host:port)?
answers() {
  local bs="$1"
  if have_confluent; then
    # Secured: as the admin user (its password through the environment, never the command line).
    KAFKA_PROBE_PASSWORD="${ADMIN_PASSWORD:-}" "$PYTHON" -c 'import os, sys; from confluent_kafka.admin import AdminClient as A
conf = {"bootstrap.servers": sys.argv[1], "log_level": 0}
if sys.argv[2] == "sasl_ssl":
    conf.update({"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": sys.argv[3],
                 "sasl.password": os.environ["KAFKA_PROBE_PASSWORD"], "ssl.ca.location": sys.argv[4]})
md = A(conf).list_topics(timeout=2)
sys.exit(0 if md.brokers else 1)' "$bs" "$KAFKA_SECURITY" "$KAFKA_ADMIN_USER" "${KAFKA_SSL_CA:-}" >/dev/null 2>&1
  elif [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
    tls_api_versions_ping "${bs##*:}"
  else
    api_versions_ping "${bs##*:}"
  fi
}
# Fallback probe without Python: send a Kafka ApiVersions v0 request (api_key 18, correlation id 1,
# empty client id) over bash's /dev/tcp and expect a response carrying correlation id 1. A plain TCP
# connect is not enough: the listener socket is bound before the broker serves requests.
api_versions_ping() {
  local out
  out="$(timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x01\x00\x00" >&3
    head -c 8 <&3 | od -An -tx1' _ "$1" 2>/dev/null)" || return 1
  [[ "$(echo $out)" == *"00 00 00 01" ]]
}
# The same over TLS (checked against KAFKA_SSL_CA), with python3's standard library: a SASL
# listener answers ApiVersions before authentication.
tls_api_versions_ping() {
  python3 -c 'import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3) as raw, ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
    s.sendall(bytes.fromhex("0000000a00120000000000010000"))
    head = b""
    while len(head) < 8:
        chunk = s.recv(8 - len(head))
        if not chunk:
            sys.exit(1)
        head += chunk
sys.exit(0 if head[4:8] == bytes.fromhex("00000001") else 1)' "$1" "$KAFKA_SSL_CA" >/dev/null 2>&1
}
port_owner() { command -v ss >/dev/null 2>&1 && ss -Hltnp "sport = :$1" 2>/dev/null | sed -E 's/.*users:\(\((.*)\)\).*/\1/' | head -1 || true; }

# ---------------------------------------------------------------- start
# Secured mode: check its inputs, read the admin password (ADMIN_PASSWORD) and the SCRAM users.
SCRAM_ARGS=()
ADMIN_PASSWORD=""
load_security() {
  case "$KAFKA_SECURITY" in
    plaintext) return 0 ;;
    sasl_ssl) ;;
    *) die 2 "KAFKA_SECURITY=$KAFKA_SECURITY: expected plaintext or sasl_ssl" ;;
  esac
  local v
  for v in KAFKA_SCRAM_USERS_FILE KAFKA_SSL_KEYSTORE KAFKA_SSL_CA; do
    [[ -n "${!v:-}" ]] || die 2 "KAFKA_SECURITY=sasl_ssl needs $v"
    [[ -r "${!v}" ]] || die 2 "$v=${!v}: not a readable file"
    [[ "${!v}" == /* ]] || printf -v "$v" '%s' "$(cd -- "$(dirname -- "${!v}")" && pwd -P)/$(basename -- "${!v}")"
  done
  [[ "$KAFKA_ADMIN_USER" =~ ^[A-Za-z0-9._-]+$ ]] || die 2 "KAFKA_ADMIN_USER=$KAFKA_ADMIN_USER: use [A-Za-z0-9._-]"
  local n=0 name password rest
  SCRAM_ARGS=()
  while read -r name password rest || [[ -n "$name" ]]; do
    n=$((n + 1))
    [[ -z "$name" || "$name" == \#* ]] && continue
    # The characters --add-scram, the JAAS line and the properties file all take as they are.
    [[ "$name" =~ ^[A-Za-z0-9._-]+$ && "$password" =~ ^[A-Za-z0-9._~-]+$ && -z "$rest" ]] \
      || die 2 "$KAFKA_SCRAM_USERS_FILE:$n: expected 'name password' ([A-Za-z0-9._-] and [A-Za-z0-9._~-])"
    SCRAM_ARGS+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$password]")
    [[ "$name" == "$KAFKA_ADMIN_USER" ]] && ADMIN_PASSWORD="$password"
  done <"$KAFKA_SCRAM_USERS_FILE"
  [[ -n "$ADMIN_PASSWORD" ]] || die 2 "$KAFKA_SCRAM_USERS_FILE has no line for the admin user $KAFKA_ADMIN_USER"
}

render_props() {
  local tpl; tpl="$(<"$TEMPLATE")"
  if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
    tpl="$tpl"$'\n\n'"$(<"$SECURED_TEMPLATE")"
    tpl="${tpl//@KAFKA_SSL_KEYSTORE@/"$KAFKA_SSL_KEYSTORE"}"
    tpl="${tpl//@KAFKA_SSL_CA@/"$KAFKA_SSL_CA"}"
    tpl="${tpl//@KAFKA_ADMIN_USER@/"$KAFKA_ADMIN_USER"}"
    tpl="${tpl//@KAFKA_ADMIN_PASSWORD@/"$ADMIN_PASSWORD"}"
  fi
  tpl="${tpl//@KAFKA_PORT@/"$KAFKA_PORT"}"
  tpl="${tpl//@KAFKA_CONTROLLER_PORT@/"$KAFKA_CONTROLLER_PORT"}"
  tpl="${tpl//@KAFKA_LOG_DIRS@/"$KRAFT_DIR"}"
  ( umask 077 && printf '%s\n' "$tpl" >"$PROPS.tmp" ) && mv -f -- "$PROPS.tmp" "$PROPS"  # may hold the admin password
}
random_cluster_id() {  # like Uuid.randomUuid().toString(): 16 random bytes, base64url, no padding, not starting with '-'
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && { echo "$id"; return; }
  done
}
jvm_opts() {
  # Same GC flags as Kafka's bin/kafka-run-class.sh.
  # shellcheck disable=SC2206
  JVM=($KAFKA_HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
       -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true
       "-Dkafka.logs.dir=$LOGS_DIR" "-Dlog4j2.configurationFile=$LOG4J_CONF" $KAFKA_OPTS)
}
wipe_hint() { echo "To start over, wipe it: ${KAFKA_DATA_DIR:+KAFKA_DATA_DIR=$KAFKA_DATA_DIR }$0 reset   (deletes $DATA)"; }

format_once() {
  local meta="$KRAFT_DIR/meta.properties" cid want
  if [[ -f "$meta" ]]; then
    cid="$(sed -n 's/^cluster\.id=//p' "$meta")"
    want="$(state_get cluster.id)"
    local node; node="$(sed -n 's/^node\.id=//p' "$meta")"
    if [[ -z "$want" || "$cid" != "$want" || "$node" != 1 ]]; then
      die 1 "data dir $KRAFT_DIR was formatted by another cluster or config (cluster.id=$cid node.id=$node; this script expects cluster.id=${want:-<none recorded>} node.id=1). $(wipe_hint)"
    fi
    local mode; mode="$(state_get security)"
    if [[ "${mode:-plaintext}" != "$KAFKA_SECURITY" ]]; then
      die 1 "data dir $KRAFT_DIR was formatted with KAFKA_SECURITY=${mode:-plaintext}, not $KAFKA_SECURITY (its SCRAM users are fixed at format time). $(wipe_hint)"
    fi
    return 0
  fi
  if [[ -d "$KRAFT_DIR" ]] && [[ -n "$(ls -A "$KRAFT_DIR")" ]]; then
    die 1 "data dir $KRAFT_DIR is not empty but has no meta.properties (not a formatted Kafka log dir). $(wipe_hint)"
  fi
  mkdir -p -- "$KRAFT_DIR"
  cid="$(random_cluster_id)"
  local out
  if ! out="$("$JAVA" -Xmx256m "-Dkafka.logs.dir=$LOGS_DIR" "-Dlog4j2.configurationFile=$LOG4J_CONF" \
                -cp "$LIB/*" kafka.tools.StorageTool format -t "$cid" -c "$PROPS" "${SCRAM_ARGS[@]}" 2>&1)"; then
    printf '%s\n' "$out" >&2
    die 1 "formatting $KRAFT_DIR failed. $(wipe_hint)"
  fi
  printf 'cluster.id=%s\nkafka.version=%s\nformatted=%s\nsecurity=%s\n' "$cid" "$(kafka_version)" "$(date -u +%FT%TZ)" \
    "$KAFKA_SECURITY" >"$STATEFILE"
  say "formatted $KRAFT_DIR (cluster.id $cid${SCRAM_ARGS[*]:+, ${KAFKA_SECURITY} with $(( ${#SCRAM_ARGS[@]} / 2 )) SCRAM users})"
}

wait_ready() {  # $1 pid, $2 t0
  local pid="$1" t0="$2" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while :; do
    if answers "$BOOTSTRAP"; then return 0; fi
    if ! alive "$pid"; then
      rm -f -- "$PIDFILE"
      { echo "kafka: the broker (pid $pid) exited during start-up. Last log lines:"
        tail -n 25 "$LOGS_DIR/kafka.out" 2>/dev/null | sed 's/^/  | /'
        grep -hE ' (ERROR|FATAL) ' "$LOGS_DIR/server.log" 2>/dev/null | tail -n 5 | sed 's/^/  | /'
        echo "kafka: full logs in $LOGS_DIR. If the data dir came from another cluster/config/version: $(wipe_hint)"
      } >&2
      exit 1
    fi
    if (( SECONDS >= deadline )); then
      die 1 "the broker (pid $pid) did not answer at $BOOTSTRAP within ${KAFKA_START_TIMEOUT}s (still running; logs in $LOGS_DIR; '$0 stop' to end it)"
    fi
    sleep 0.5
  done
}

cmd_start() {
  local t0 pid; t0="$(now)"
  mkdir -p -- "$DATA"
  if pid="$(running_pid)"; then
    local bs; bs="$(state_get bootstrap)"
    if [[ -n "$bs" && "$bs" != "$BOOTSTRAP" ]]; then
      die 2 "already running (pid $pid) at $bs, not at $BOOTSTRAP; stop it first: $0 stop"
    fi
    if answers "$BOOTSTRAP"; then say "already running (pid $pid) at $BOOTSTRAP"; return 0; fi
    say "pid $pid is starting; waiting for it to answer at $BOOTSTRAP ..."
    wait_ready "$pid" "$t0"
    say "running (pid $pid) at $BOOTSTRAP"; return 0
  fi
  rm -f -- "$PIDFILE"
  require_java
  lib_complete || { cmd_fetch; t0="$(now)"; }
  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if tcp_open "$p"; then
      local who; who="$(port_owner "$p")"
      die 2 "port 127.0.0.1:$p is already in use by another process${who:+ ($who)}, not by the broker of $DATA. Free it or set KAFKA_PORT / KAFKA_CONTROLLER_PORT."
    fi
  done
  if [[ ! -e "$MARKER" ]]; then
    [[ -z "$(ls -A "$DATA")" || -f "$KRAFT_DIR/meta.properties" ]] \
      || die 1 "$DATA is not empty and is not a data dir of this script; choose another KAFKA_DATA_DIR"
    : >"$MARKER"
  fi
  mkdir -p -- "$LOGS_DIR"
  render_props
  format_once
  jvm_opts
  {
    echo "===== $(date -u +%FT%TZ) start: Kafka $(kafka_version) at $BOOTSTRAP ====="
  } >>"$LOGS_DIR/kafka.out"
  # Own session (setsid) so a Ctrl-C in the caller's terminal does not kill it; the wrapper bash
  # writes its PID then execs java, so the PID file holds the JVM's PID.
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  ( cd -- "$DATA" && exec "${launcher[@]}" bash -c 'echo $$ >"$0"; exec "$@"' "$PIDFILE" \
      "$JAVA" "${JVM[@]}" -cp "$LIB/*" kafka.Kafka "$PROPS" </dev/null >>"$LOGS_DIR/kafka.out" 2>&1 & )
  local i
  for i in $(seq 1 50); do [[ -s "$PIDFILE" ]] && break; sleep 0.1; done
  pid="$(read_pid)"
  [[ -n "$pid" ]] || die 1 "the broker did not start (no PID file); see $LOGS_DIR/kafka.out"
  sed -i '/^bootstrap=/d;/^pid=/d' "$STATEFILE"
  printf 'bootstrap=%s\npid=%s\n' "$BOOTSTRAP" "$pid" >>"$STATEFILE"
  wait_ready "$pid" "$t0"
  say "Kafka $(kafka_version) ready at $BOOTSTRAP (${KAFKA_SECURITY}, pid $pid, start took $(elapsed "$t0") s; data $DATA; logs $LOGS_DIR/server.log)"
}

# ---------------------------------------------------------------- stop / status / reset
cmd_stop() {
  local pid; pid="$(read_pid)"
  if [[ -z "$pid" ]] || ! is_ours "$pid"; then
    rm -f -- "$PIDFILE"; say "not running"; return 0
  fi
  local t0; t0="$(now)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while alive "$pid" && (( SECONDS < deadline )); do sleep 0.2; done
  if alive "$pid"; then
    say "pid $pid did not exit ${KAFKA_STOP_TIMEOUT}s after SIGTERM; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
  fi
  rm -f -- "$PIDFILE"
  say "stopped (pid $pid, $(elapsed "$t0") s)"
}

cmd_status() {
  local pid bs; bs="$(state_get bootstrap)"; bs="${bs:-$BOOTSTRAP}"
  if pid="$(running_pid)"; then
    if answers "$bs"; then say "running (pid $pid) at $bs"; return 0; fi
    local mode; mode="$(state_get security)"
    [[ "${mode:-plaintext}" == "$KAFKA_SECURITY" ]] \
      || say "it was formatted with KAFKA_SECURITY=$mode: probe it with the same environment"
    say "process $pid is up but does not answer at $bs (starting, or hung)"; return 1
  fi
  say "not running (would listen at $BOOTSTRAP; data $DATA)"; return 1
}

cmd_reset() {
  cmd_stop
  [[ -e "$DATA" ]] || { say "nothing to delete ($DATA does not exist)"; return 0; }
  case "$DATA" in
    / | "$ROOT" | "$HERE" | "${HOME:-/nonexistent}") die 2 "refusing to delete $DATA" ;;
  esac
  if [[ ! -e "$MARKER" && -n "$(ls -A "$DATA")" ]]; then
    die 2 "refusing to delete $DATA: not a data dir created by this script"
  fi
  rm -rf -- "$DATA"
  say "deleted $DATA"
}

usage() { sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; }

case "${1:-}" in start | status) load_security ;; esac
case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
