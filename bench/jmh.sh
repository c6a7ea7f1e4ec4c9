#!/usr/bin/env bash
# JMH micro-benchmarks of the callback pipeline (decode, mask, merge): bench/jmh.sh [JMH options]
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"
./mvnw -B -q test-compile
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
java $LOG_FLAGS -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" org.openjdk.jmh.Main CallbackPipelineBenchmark "$@"
