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

# The class-data archive the README's launch lines name, beside the jar. need_archive makes it as the server
# does for its users (ClassDataArchive: a session of the launch line, left open until the server has written it,
# about 10 s after it started) and sets ARCHIVE_FLAG; ARCHIVE=off measures launches without one.
ARCHIVE_PATH="${ARCHIVE_PATH:-${JAR%.jar}.jsa}"
ARCHIVE_FLAG=""
need_archive() {  # $1 = the java to make it for
  [[ "${ARCHIVE:-on}" == off ]] && return 0
  ARCHIVE_FLAG="-XX:SharedArchiveFile=$ARCHIVE_PATH"
  rm -f "$ARCHIVE_PATH" "$ARCHIVE_PATH.stamp"
  local dir pid
  dir="$(mktemp -d)"; mkfifo "$dir/in"
  # shellcheck disable=SC2086
  "$1" $JVM_FLAGS $ARCHIVE_FLAG -jar "$JAR" --sandbox --callback-port 0 < "$dir/in" > /dev/null 2> "$dir/err" &
  pid=$!
  exec 4> "$dir/in"
  for _ in $(seq 1800); do
    [[ -s "$ARCHIVE_PATH.stamp" ]] && break
    grep -q 'could not be made' "$dir/err" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  exec 4>&-
  wait "$pid" || true
  [[ -s "$ARCHIVE_PATH.stamp" ]] || { echo "class-data archive not made:" >&2; tail -5 "$dir/err" >&2; rm -rf "$dir"; return 1; }
  echo "# class-data archive: $ARCHIVE_PATH ($(du -m "$ARCHIVE_PATH" | cut -f1) MiB, made by the server as it is for users)"
  rm -rf "$dir"
}
