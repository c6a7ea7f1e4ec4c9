#!/usr/bin/env bash
# RSS once the callback server and Twilio client are up and idle (../shared/bench/mcp_stdio_bench.py),
# this server and the Node peer, alternately; also cold start, first and warm request round trips.
#   bench/idle-memory.sh [RUNS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_jar; need_node_peer
RUNS="${1:-5}"
run() {
  python3 "$SHARED/mcp_stdio_bench.py" --runs 1 --warmup 0 --repeat 20 --idle-wait 3 \
    --env PUBLIC_URL=http://127.0.0.1:4999 --env CALLBACK_PORT=4999 -- "$@" 2>&1 \
    | awk '/^memory idle/{f=1} f&&/VmRSS/{print $3; exit}'
}
: > /tmp/agentpay-idle-a; : > /tmp/agentpay-idle-b
for i in $(seq "$RUNS"); do
  # shellcheck disable=SC2086
  run java $JVM_FLAGS -jar "$JAR" "$ACCOUNT" "$KEY" secret >> /tmp/agentpay-idle-a
  run node "$PEERS/node-peer/server.mjs" "$ACCOUNT" "$KEY" secret >> /tmp/agentpay-idle-b
done
echo "idle RSS MiB  gateway: $(median < /tmp/agentpay-idle-a)  node-peer: $(median < /tmp/agentpay-idle-b)  (medians of $RUNS)"
