#!/usr/bin/env bash
# Benchmarks this server side by side with the Node.js reference server; see README.md here.
#
# Usage: etc/bench/run.sh [--quick] [--only=1,2,3,4,5,6,7,8] [--passes=memory,fsync,none,idle]
#                         [--sse-readers=N[,M]] [--idle-readers=N[,M]]
#
# Builds the jar when it is missing or older than the sources, installs wrk (apt-get, as root)
# and the reference server (npm ci) when missing, then runs bench.mjs, which prints the table
# and writes it to etc/bench/results/. Exits 1 when a read-back check fails.
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

if [[ ! -f etc/bench/node_modules/@durable-streams/server/package.json ]]; then
  echo "Installing the reference server with npm ci in etc/bench" >&2
  (cd etc/bench && npm ci --no-audit --no-fund)
fi

# The idle long-poll scenario keeps 10,000 sockets open in one client process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec node etc/bench/bench.mjs "$@"
