#!/usr/bin/env bash
# Callback ingestion under wrk (2 threads x 32 connections, the shared 16-field form body), this
# server's endpoint against node:http, interleaved run by run. Ours runs with authentication (the
# secret path) and masking on, through bench harness CallbackBenchServer (the product's CallbackServer).
#   bench/callbacks.sh [RUNS]      DURATION=15s WARMUP=10s
set -euo pipefail
source "$(dirname "$0")/common.sh"
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 1; }
RUNS="${1:-3}" DURATION="${DURATION:-15s}" WARMUP="${WARMUP:-10s}"
cd "$ROOT"
./mvnw -B -q test-compile
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
CP="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
for i in $(seq "$RUNS"); do
  # shellcheck disable=SC2086
  java $JVM_FLAGS -cp "$CP" io.agentpay.gateway.bench.CallbackBenchServer 4999 > target/bench-server.out 2> target/bench-server.err &
  for _ in $(seq 100); do grep -q '^PID' target/bench-server.out 2>/dev/null && break; sleep 0.1; done
  URL=$(awk '/^URL/{print $2}' target/bench-server.out); PID=$(awk '/^PID/{print $2}' target/bench-server.out)
  wrk -t2 -c32 -d"$WARMUP" -s "$SHARED/post-callback.lua" "$URL" > /dev/null
  C0=$(cpu_ticks "$PID")
  R=$(wrk -t2 -c32 -d"$DURATION" --latency -s "$SHARED/post-callback.lua" "$URL" | grep '^RESULT')
  C1=$(cpu_ticks "$PID")
  REQ=$(echo "$R" | field requests)
  US=$(awk -v c=$((C1 - C0)) -v t="$TICK" -v r="$REQ" 'BEGIN {printf "%.1f", c / t * 1e6 / r}')
  RSS=$(awk '/VmRSS/{print $2}' "/proc/$PID/status")
  kill "$PID"; wait "$PID" 2>/dev/null || true
  echo "run $i gateway  rps=$(echo "$R" | field rps) p50_ms=$(echo "$R" | field p50_ms) p99_ms=$(echo "$R" | field p99_ms) cpu_us_per_req=$US rss_kb=$RSS" | tee -a target/bench-callbacks.txt
  OUT=$(RUNS=1 DURATION="$DURATION" WARMUP="$WARMUP" PORT=4100 OUTDIR=target/callback-bench bash "$SHARED/run_callback_bench.sh" raw-node 2>&1)
  NR=$(echo "$OUT" | grep 'RESULT' | head -1); NLOG=$(echo "$OUT" | awk '/^log:/{print $2}')
  NUS=$(sed -n 's/.*server_cpu_us_per_req=\([0-9.]*\).*/\1/p' "$NLOG" | head -1)
  echo "run $i node:http rps=$(echo "$NR" | field rps) p50_ms=$(echo "$NR" | field p50_ms) p99_ms=$(echo "$NR" | field p99_ms) cpu_us_per_req=$NUS" | tee -a target/bench-callbacks.txt
done
for who in "gateway " "node:http"; do
  for m in rps p99_ms cpu_us_per_req; do
    printf '%s median %s=%s\n' "$who" "$m" "$(grep "$who" target/bench-callbacks.txt | tail -n "$RUNS" | field "$m" | median)"
  done
done
