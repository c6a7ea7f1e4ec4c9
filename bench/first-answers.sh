#!/usr/bin/env bash
# Where users wait, with the launch line of the README, against the Node peer in the same run
# (bench/first_answers.py, interleaved A B A B): spawn -> tools/list answered, RSS after the first requests,
# and spawn -> first startPaymentCapture answered against the loopback Twilio emulator (ours alone: the
# peer's Twilio client cannot be pointed at it).
#   bench/first-answers.sh [RUNS]     JAVA=/path/to/bin/java picks the JVM (default: java on PATH);
#                                     JVM_FLAGS="..." overrides the flags (bench/jvm-flags);
#                                     ARCHIVE=off launches without the class-data archive (need_archive in common.sh)
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_jar; need_node_peer
RUNS="${1:-8}"
JAVA="${JAVA:-java}"
PORT=4999
# The emulator is a test class that needs only the jar: compiled here, no Maven test phase.
mkdir -p "$ROOT/target/bench-classes"
javac -d "$ROOT/target/bench-classes" -cp "$JAR" "$ROOT/src/test/java/io/agentpay/gateway/bench/TwilioEmulator.java"
TOKEN="bench-auth-token"
EMULATOR_OUT="$(mktemp)"
trap 'rm -f "$EMULATOR_OUT"' EXIT
# The emulator reads fd 3 of this script as its stdin, so it stops when the script ends.
exec 3> >(exec java $LOG_FLAGS -cp "$ROOT/target/bench-classes:$JAR" io.agentpay.gateway.bench.TwilioEmulator \
  "$ACCOUNT" "$KEY" secret "$TOKEN" >"$EMULATOR_OUT")
for _ in $(seq 100); do [[ -s "$EMULATOR_OUT" ]] && break; sleep 0.1; done
TWILIO="$(head -1 "$EMULATOR_OUT")"
need_archive "$JAVA"
A="$JAVA $JVM_FLAGS $ARCHIVE_FLAG -jar $JAR $ACCOUNT $KEY secret"
# The first launch of all, before the server has made its archive: the JVM finds the named file missing.
A_FIRST="$JAVA $JVM_FLAGS ${ARCHIVE_FLAG:+$ARCHIVE_FLAG.not-made-yet} -jar $JAR $ACCOUNT $KEY secret"
B="node $PEERS/node-peer/server.mjs $ACCOUNT $KEY secret"
echo "# A: $A ($("$JAVA" -version 2>&1 | head -1))"
echo "# B: $B"
echo "# Twilio emulator for the first call: $TWILIO"
python3 "$ROOT/bench/first_answers.py" --runs "$RUNS" --a "$A" --b "$B" \
  --env PUBLIC_URL=http://127.0.0.1:$PORT --env CALLBACK_PORT=$PORT \
  --call --a-first "$A_FIRST" --call-env TWILIO_API_BASE_URL="$TWILIO" --call-env TWILIO_AUTH_TOKEN="$TOKEN"
