#!/usr/bin/env bash
# Signed callbacks through the real jar as the README launches it (bench/jvm-flags; TWILIO_AUTH_TOKEN
# set, so every post needs the secret path and a valid X-Twilio-Signature; PUBLIC_URL; its stdout read
# by an MCP client) against node:http (the shared raw-http.js), under wrk 2 threads x 32 connections,
# interleaved round by round. The jar's requests are signed as Twilio signs them, over the public URL, by
# bench/signed-callback.lua (bench harness SignedCallbackTarget learns the secret path from a real startPaymentCapture).
#   bench/callbacks.sh [ROUNDS]      DURATION=15s WARMUP=10s
#   JARS="old.jar target/twilio-agent-payments-mcp-gateway.jar" bench/callbacks.sh   (A/B: each jar every round)
#   EXTRA_FLAGS="-Xlog:gc:file=/tmp/gc.log" bench/callbacks.sh 1                        (added to the launch line)
# Prints per run req/s, p50/p99 and the server's CPU time per request; then medians and jar/node ratios.
set -euo pipefail
source "$(dirname "$0")/common.sh"
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 1; }
ROUNDS="${1:-3}" DURATION="${DURATION:-15s}" WARMUP="${WARMUP:-10s}"
JARS="${JARS:-$JAR}"
[[ -f "$SHARED/run_callback_bench.sh" ]] || { echo "needs the shared bench scripts in $SHARED (set SHARED_BENCH)" >&2; exit 1; }
export SHARED_BENCH="$SHARED"
cd "$ROOT"
need_jar
./mvnw -B -q -o test-compile
./mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
OUT=target/callback-bench; mkdir -p "$OUT"; RESULTS="$OUT/results.txt"; : > "$RESULTS"
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

run_jar() {  # $1 = round, $2 = jar, $3 = label
  local dir="$OUT/$3" fifo R C0 C1 REQ US HPID URL PID
  mkdir -p "$dir"; fifo="$dir/in"; rm -f "$fifo"; mkfifo "$fifo"
  # shellcheck disable=SC2086
  java $LOG_FLAGS -Dbench.jvmFlags="$JVM_FLAGS ${EXTRA_FLAGS:-}" -Dgateway.jar="$2" -cp "$CP" io.agentpay.gateway.e2e.SignedCallbackTarget \
    "$dir" < "$fifo" > "$dir/target.out" 2> "$dir/target.err" &
  HPID=$!
  exec 7> "$fifo"
  for _ in $(seq 600); do grep -q '^TOKEN' "$dir/target.out" 2>/dev/null && break; kill -0 "$HPID" 2>/dev/null || break; sleep 0.1; done
  grep -q '^TOKEN' "$dir/target.out" || { cat "$dir/target.err" >&2; exit 1; }
  URL=$(awk '/^URL/{print $2}' "$dir/target.out"); PID=$(awk '/^PID/{print $2}' "$dir/target.out")
  SIGN_URL=$(awk '/^SIGN_URL/{print $2}' "$dir/target.out"); TWILIO_AUTH_TOKEN=$(awk '/^TOKEN/{print $2}' "$dir/target.out")
  export CALLBACK_LUA="$SHARED/post-callback.lua" SIGN_URL TWILIO_AUTH_TOKEN  # for bench/signed-callback.lua
  wrk -t2 -c32 -d"$WARMUP" -s bench/signed-callback.lua "$URL" > /dev/null
  C0=$(cpu_ticks "$PID")
  R=$(wrk -t2 -c32 -d"$DURATION" --latency -s bench/signed-callback.lua "$URL" | grep '^RESULT')
  C1=$(cpu_ticks "$PID")
  REQ=$(echo "$R" | field requests)
  US=$(awk -v c=$((C1 - C0)) -v t="$TICK" -v r="$REQ" 'BEGIN {printf "%.1f", c / t * 1e6 / r}')
  local RSS; RSS=$(awk '/VmRSS/{print $2}' "/proc/$PID/status")
  local ERRS; ERRS=$(echo "$R" | sed -n 's/.*err_status=\([0-9]*\).*/\1/p')
  exec 7>&-
  wait "$HPID" 2>/dev/null || true
  echo "round $1 $3 rps=$(echo "$R" | field rps) p50_ms=$(echo "$R" | field p50_ms) p99_ms=$(echo "$R" | field p99_ms) cpu_us_per_req=$US rss_kb=$RSS non2xx=$ERRS load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RESULTS"
}

run_node() {  # $1 = round
  local OUTN NR NLOG NUS
  OUTN=$(RUNS=1 DURATION="$DURATION" WARMUP="$WARMUP" PORT=4100 OUTDIR="$OUT/node" bash "$SHARED/run_callback_bench.sh" raw-node 2>&1)
  NR=$(echo "$OUTN" | grep 'RESULT' | head -1); NLOG=$(echo "$OUTN" | awk '/^log:/{print $2}')
  NUS=$(sed -n 's/.*server_cpu_us_per_req=\([0-9.]*\).*/\1/p' "$NLOG" | head -1)
  echo "round $1 node:http rps=$(echo "$NR" | field rps) p50_ms=$(echo "$NR" | field p50_ms) p99_ms=$(echo "$NR" | field p99_ms) cpu_us_per_req=$NUS load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RESULTS"
}

LABELS=()
n=0; for j in $JARS; do n=$((n + 1)); LABELS+=("jar$n"); echo "jar$n = $j ($(stat -c %y "$j" | cut -d. -f1))"; done
echo "launch line: java $JVM_FLAGS ${EXTRA_FLAGS:-} -jar JAR   (TWILIO_AUTH_TOKEN, PUBLIC_URL=https://pay.example.com, CALLBACK_PORT=0)"
for r in $(seq "$ROUNDS"); do
  # Alternate who goes first (node:http, and the jars among themselves), so that none always runs on the warmer (or busier) machine.
  if (( r % 2 )); then run_node "$r"; fi
  ORDER=$(seq "${#LABELS[@]}"); (( r % 2 )) || ORDER=$(seq "${#LABELS[@]}" -1 1)
  for n in $ORDER; do run_jar "$r" "$(echo $JARS | cut -d' ' -f"$n")" "jar$n"; done
  if (( r % 2 == 0 )); then run_node "$r"; fi
done
echo "medians over $ROUNDS rounds:"
for who in "${LABELS[@]}" node:http; do
  line="$who"
  for m in rps p50_ms p99_ms cpu_us_per_req; do
    line="$line $m=$(grep " $who " "$RESULTS" | field "$m" | median)"
  done
  echo "$line"
done
for who in "${LABELS[@]}"; do
  # Per round ratios, then their median: each pair ran back to back.
  rps=$(for r in $(seq "$ROUNDS"); do a=$(grep "^round $r $who " "$RESULTS" | field rps); b=$(grep "^round $r node:http " "$RESULTS" | field rps); awk -v a="$a" -v b="$b" 'BEGIN {print a / b}'; done | median)
  p99=$(for r in $(seq "$ROUNDS"); do a=$(grep "^round $r $who " "$RESULTS" | field p99_ms); b=$(grep "^round $r node:http " "$RESULTS" | field p99_ms); awk -v a="$a" -v b="$b" 'BEGIN {print a / b}'; done | median)
  cpu=$(for r in $(seq "$ROUNDS"); do a=$(grep "^round $r $who " "$RESULTS" | field cpu_us_per_req); b=$(grep "^round $r node:http " "$RESULTS" | field cpu_us_per_req); awk -v a="$a" -v b="$b" 'BEGIN {print a / b}'; done | median)
  printf '%s / node:http (median of per-round ratios): req/s %.2f  p99 %.2f  cpu/request %.2f\n' "$who" "$rps" "$p99" "$cpu"
done
