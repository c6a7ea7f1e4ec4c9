#!/usr/bin/env bash
# Start-up and memory against the Node peer, interleaved A B A B (../shared/bench/startup_vs_peer.py),
# with the exact command line of the README's claude_desktop_config.json example.
#   bench/startup.sh [RUNS]        JVM_FLAGS="..." overrides the flags (bench/jvm-flags)
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_jar; need_node_peer
RUNS="${1:-10}"
A="java $JVM_FLAGS -jar $JAR $ACCOUNT $KEY secret"
B="node $PEERS/node-peer/server.mjs $ACCOUNT $KEY secret"
echo "# A: $A"
echo "# B: $B"
python3 "$SHARED/startup_vs_peer.py" --runs "$RUNS" --a "$A" --b "$B" \
  --env PUBLIC_URL=http://127.0.0.1:4999 --env CALLBACK_PORT=4999
