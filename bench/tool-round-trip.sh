#!/usr/bin/env bash
# Tool round trip over stdio against the loopback Twilio emulator vs the same request in-process:
#   bench/tool-round-trip.sh [CALLS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_jar
cd "$ROOT"
./mvnw -B -q test-compile
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
java $LOG_FLAGS -Dbench.jvmFlags="$JVM_FLAGS" -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" \
  io.agentpay.gateway.bench.ToolRoundTrip "$JAR" "${1:-500}"
