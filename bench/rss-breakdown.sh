#!/usr/bin/env bash
# Where the jar's RSS goes 3 s after the first requests (services up), as the README launches it (with its
# class-data archive) plus -XX:NativeMemoryTracking=detail: per file mapping, per JVM region, and glibc's malloc
# arenas (bench/rss_breakdown.py).
#   bench/rss-breakdown.sh [RUNS]     JVM_FLAGS / EXTRA_FLAGS="..." / ARCHIVE=off as in the other scripts
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_jar
JAVA="${JAVA:-java}"
need_archive "$JAVA"
# shellcheck disable=SC2086
SHARED_BENCH="$SHARED" python3 "$ROOT/bench/rss_breakdown.py" --runs "${1:-3}" \
  --cmd "$JAVA $JVM_FLAGS ${EXTRA_FLAGS:-} $ARCHIVE_FLAG -XX:NativeMemoryTracking=detail -jar $JAR $ACCOUNT $KEY secret" \
  --env PUBLIC_URL=http://127.0.0.1:4999 --env CALLBACK_PORT=4999
