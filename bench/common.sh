# Shared set-up for the bench scripts: paths, the README's JVM flags, the peers' working copy.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
JAR="${JAR:-$ROOT/target/twilio-agent-payments-mcp-gateway.jar}"
JVM_FLAGS="${JVM_FLAGS:-$(cat "$ROOT/bench/jvm-flags")}"
# The JVM's own warnings go to stdout by default, and a server's stdout carries JSON-RPC only: every java
# launched here sends them to stderr, overridden JVM_FLAGS included.
LOG_FLAGS="-Xlog:disable -Xlog:all=warning:stderr"
case " $JVM_FLAGS " in *" -Xlog:disable "*) ;; *) JVM_FLAGS="$LOG_FLAGS $JVM_FLAGS" ;; esac
ACCOUNT="ACa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" KEY="SKb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
PEERS="${PEERS_DIR:-/tmp/agentpay-bench-peers}"

need_jar() {
  [[ -f "$JAR" ]] || (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
}

# The shared peers are read-only: install the Node peer's dependencies in a copy.
need_node_peer() {
  if [[ ! -d "$PEERS/node-peer/node_modules" ]]; then
    mkdir -p "$PEERS" && cp -r "$SHARED/node-peer" "$PEERS/" && chmod -R u+w "$PEERS"
    (cd "$PEERS/node-peer" && npm install --silent --no-audit --no-fund >/dev/null)
  fi
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
