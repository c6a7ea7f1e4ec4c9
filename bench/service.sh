#!/usr/bin/env bash
# The jar in service mode (MCP over HTTP, REDIS_URL), launched as the README does, against a real
# redis-server this script starts on loopback (a free port, a temp dir) and stops at the end:
#   callbacks  callback req/s, p99 and CPU µs/request (the jar's, Redis's) of one instance under wrk
#              (2 threads x 32 connections, the shared post-callback.lua bodies, each signed as Twilio signs it:
#              TWILIO_AUTH_TOKEN set, so the secret path and X-Twilio-Signature are both checked),
#              with Redis and without (in memory), interleaved run by run
#   payments   whole payments/s across two instances on one Redis, callbacks spread over both by nginx
#              in front of their callback ports (e2e.ServicePayments: each tool waits until the caller
#              has keyed, as an agent does; each step through the other instance than the step before)
#   startup    bench/http-startup.sh with REDIS_URL: spawn -> /healthz ok, -> initialize and tools/list over HTTP
#   bench/service.sh [RUNS] [callbacks|payments|startup ...]   DURATION=15s WARMUP=10s PAYMENTS=300 CONCURRENCY=32
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS="${1:-3}"; shift || true
PARTS="${*:-callbacks payments startup}"
DURATION="${DURATION:-15s}" WARMUP="${WARMUP:-10s}" PAYMENTS="${PAYMENTS:-300}" CONCURRENCY="${CONCURRENCY:-32}"
TOKEN="bench-auth-token-0123456789abcdef"
for tool in redis-server redis-cli wrk nginx; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install -y redis-server wrk nginx" >&2; exit 1; }
done
[[ -f "$SHARED/post-callback.lua" ]] || { echo "needs the shared bench kit at $SHARED (set SHARED_BENCH)" >&2; exit 1; }
cd "$ROOT"
need_jar
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Waits for a line matching the sed expression in a file and prints what it captured.
await_line() {
  for _ in $(seq 600); do
    v=$(sed -n "$2" "$1" 2>/dev/null | head -1); [[ -n "$v" ]] && { echo "$v"; return; }
    sleep 0.1
  done
  echo "no match for $2 in $1:" >&2; cat "$1" >&2; exit 1
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
OUT="target/bench-service.txt"
echo "# $(date -u +%FT%TZ) runs=$RUNS parts=$PARTS nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$TMP" --save '' --appendonly no --daemonize no \
  > "$TMP/redis.log" 2>&1 &
REDIS_PID=$!; PIDS+=("$REDIS_PID")
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

# A TCP relay standing for the public URL: it forwards to the port written to $1.target once known, and
# writes the path of the first request (the jar's own tunnel check of PUBLIC_URL + its secret path) to $1.path.
relay() {
  python3 - "$1" <<'PY' &
import os, socket, sys, threading, time
base = sys.argv[1]
server = socket.create_server(("127.0.0.1", 0))
open(base + ".port", "w").write(str(server.getsockname()[1]))
def target():
    while not os.path.exists(base + ".target") or not open(base + ".target").read().strip():
        time.sleep(0.02)
    return int(open(base + ".target").read())
def pump(a, b):
    try:
        while data := a.recv(65536):
            b.sendall(data)
    except OSError:
        pass
    finally:
        a.close(); b.close()
def serve(c):
    first = c.recv(65536)
    path = first.split(b" ")[1].decode() if first.count(b" ") >= 2 else ""
    if path.startswith("/callbacks/") and not os.path.exists(base + ".path"):
        open(base + ".path", "w").write(path)
    out = socket.create_connection(("127.0.0.1", target()))
    out.sendall(first)
    threading.Thread(target=pump, args=(c, out), daemon=True).start()
    pump(out, c)
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
PY
  PIDS+=($!)
}

# One callback run on one instance: $1 = label, $2 = REDIS_URL or empty.
callback_run() {
  local label="$1" redis="$2" dir="$TMP/cb-$1-$RANDOM" pid jpid port path url r c0 c1 req
  mkdir -p "$dir"
  relay "$dir/relay"
  port=$(await_line "$dir/relay.port" 'p')
  # shellcheck disable=SC2086
  env PUBLIC_URL="http://127.0.0.1:$port" CALLBACK_PORT=0 TWILIO_AUTH_TOKEN="$TOKEN" ${redis:+REDIS_URL=$redis} \
    java $JVM_FLAGS -jar "$JAR" "$ACCOUNT" "$KEY" secret --http-port 0 > /dev/null 2> "$dir/jar.log" &
  jpid=$!; PIDS+=("$jpid")
  await_line "$dir/jar.log" 's/.*Callbacks reach port \([0-9]*\) .*/\1/p' > "$dir/relay.target"
  path=$(await_line "$dir/relay.path" 'p')
  url="http://127.0.0.1:$(cat "$dir/relay.target")$path"
  local mcp; mcp=$(await_line "$dir/jar.log" 's|.*MCP (Streamable HTTP) at \(http://[^ ]*\)/mcp.*|\1|p')
  for _ in $(seq 300); do curl -sf "$mcp/healthz" >/dev/null && break; sleep 0.1; done
  export CALLBACK_LUA="$SHARED/post-callback.lua" SIGN_URL="http://127.0.0.1:$port$path" TWILIO_AUTH_TOKEN="$TOKEN"
  wrk -t2 -c32 -d"$WARMUP" -s bench/signed-callback.lua "$url" > /dev/null
  local s0 s1; s0=$(redis-cli -p "$REDIS_PORT" info commandstats)
  c0=$(awk '{print $14 + $15}' "/proc/$jpid/stat"); local r0; r0=$(awk '{print $14 + $15}' "/proc/$REDIS_PID/stat")
  r=$(wrk -t2 -c32 -d"$DURATION" --latency -s bench/signed-callback.lua "$url" | grep '^RESULT')
  c1=$(awk '{print $14 + $15}' "/proc/$jpid/stat"); local r1; r1=$(awk '{print $14 + $15}' "/proc/$REDIS_PID/stat")
  s1=$(redis-cli -p "$REDIS_PORT" info commandstats)
  req=$(echo "$r" | field requests)
  kill "$jpid"; wait "$jpid" 2>/dev/null || true
  [[ "$(echo "$r" | field err_status)" == 0 ]] || { echo "$label: callbacks refused: $r" >&2; tail -5 "$dir/jar.log" >&2; exit 1; }
  echo "run $i callbacks $label rps=$(echo "$r" | field rps) p50_ms=$(echo "$r" | field p50_ms)" \
    "p99_ms=$(echo "$r" | field p99_ms) jar_cpu_us_per_req=$(awk -v c=$((c1 - c0)) -v t="$(getconf CLK_TCK)" -v r="$req" \
    'BEGIN {printf "%.1f", c / t * 1e6 / r}') redis_cpu_us_per_req=$(awk -v c=$((r1 - r0)) -v t="$(getconf CLK_TCK)" \
    -v r="$req" 'BEGIN {printf "%.1f", c / t * 1e6 / r}') $(commands_per_req "$s0" "$s1" "$req")" \
    "load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT"
}

# Redis commands per callback between two INFO commandstats: every command Redis ran (those a Lua
# script runs included), and the EVALSHA among them (each one round trip with its script's commands).
commands_per_req() {
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
calls = lambda t: {m[0]: int(m[1]) for m in re.findall(r"cmdstat_(\w+):calls=(\d+)", t)}
a, b, req = calls(sys.argv[1]), calls(sys.argv[2]), int(sys.argv[3])
d = {k: b[k] - a.get(k, 0) for k in b if k != "info"}
print(f"redis_cmds_per_req={sum(d.values()) / req:.2f} hget_per_req={d.get('hget', 0) / req:.2f} "
      f"evalsha_per_req={d.get('evalsha', 0) / req:.2f}", end="")
PY
}

payments_run() {
  local dir="$TMP/pay-$RANDOM" front a b
  mkdir -p "$dir/tmp"
  front=$(free_port) a=$(free_port) b=$(free_port)
  redis-cli -p "$REDIS_PORT" flushall > /dev/null
  cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy; fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  upstream agentpay_callbacks { server 127.0.0.1:$a; server 127.0.0.1:$b; keepalive 16; }
  server {
    listen 127.0.0.1:$front;
    location /callbacks/ { proxy_pass http://agentpay_callbacks; proxy_http_version 1.1;
                           proxy_set_header Connection ""; proxy_set_header Host \$host; }
  }
}
EOF
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' 2> "$dir/nginx.err" &
  local npid=$!; PIDS+=("$npid")
  local r
  r=$(java -cp "$CP" -Dbench.jvmFlags="$JVM_FLAGS" -Dgateway.jar="$JAR" io.agentpay.gateway.e2e.ServicePayments \
      "$REDIS_URL" "http://127.0.0.1:$front" "$a" "$b" "$PAYMENTS" "$CONCURRENCY" 2> "$dir/driver.err" | grep '^RESULT') \
    || { echo "payments run failed:" >&2; tail -20 "$dir/driver.err" >&2; exit 1; }
  kill "$npid"; wait "$npid" 2>/dev/null || true
  echo "run $i ${r#RESULT } load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT"
}

if [[ " $PARTS " == *" payments "* ]]; then
  ./mvnw -B -q -o test-compile
  ./mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test > /dev/null
  CP="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
fi
START=$(wc -l < "$OUT")
for i in $(seq "$RUNS"); do
  if [[ " $PARTS " == *" callbacks "* ]]; then
    callback_run redis "$REDIS_URL"
    callback_run memory ""
  fi
  [[ " $PARTS " != *" payments "* ]] || payments_run
done
for m in rps p99_ms jar_cpu_us_per_req redis_cpu_us_per_req; do
  for who in redis memory; do
    v=$(tail -n +"$START" "$OUT" | { grep "callbacks $who " || true; } | field "$m" | median)
    [[ "$v" == n/a ]] || echo "callbacks $who median $m=$v" | tee -a "$OUT"
  done
done
for m in payments_per_s p50_ms p99_ms; do
  v=$(tail -n +"$START" "$OUT" | { grep " payments=" || true; } | field "$m" | median)
  [[ "$v" == n/a ]] || echo "payments median $m=$v" | tee -a "$OUT"
done
if [[ " $PARTS " == *" startup "* ]]; then
  REDIS_URL="$REDIS_URL" bash bench/http-startup.sh "$((RUNS * 3))" | tee -a "$OUT"
fi
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
