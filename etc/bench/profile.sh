#!/usr/bin/env bash
# Records this server with Java Flight Recorder during a small-append load or an SSE fan-out
# and prints the top frames of its CPU and allocation samples. The recording is kept in
# etc/bench/results/.
#
# Usage: etc/bench/profile.sh [--server=ours|ceiling] [--load=1a|1b|1c|2|5]
#                             [--store=memory|fsync|none] [--seconds=N] [--readers=N]
#   defaults: --server=ours, --load=1c (32 connections on one stream), --store=memory,
#   --seconds=15. --server=ceiling profiles the bare Helidon handler (Ceiling.java) instead.
#   --load=5 is scenario 5: --readers SSE readers (default 1000) on one stream and a writer
#   appending 50 messages a second for --seconds; it also prints where threads waited.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source etc/jdk.sh

if ! command -v wrk >/dev/null; then
  echo "Installing wrk from the Debian packages" >&2
  apt-get update -qq
  apt-get install -y -qq wrk
fi

jar=target/durable-streams-server.jar
if [[ ! -f "$jar" || ! -d target/libs ]] \
    || [[ -n "$(find src/main pom.xml -newer "$jar" -print -quit)" ]]; then
  echo "Building $jar" >&2
  mvn -B -q package -DskipTests
fi

# The SSE fan-out keeps up to --readers sockets open in one client process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec node etc/bench/profile.mjs "$@"
