#!/usr/bin/env bash
# Heap held per live payment session, and eviction after the time to live: bench/session-memory.sh [SESSIONS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"
./mvnw -B -q test-compile
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
# shellcheck disable=SC2086
java $JVM_FLAGS -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" \
  io.agentpay.gateway.bench.SessionMemory "${1:-100000}"
