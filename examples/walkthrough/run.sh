#!/usr/bin/env bash
# Builds and runs the Java API walkthrough. It depends on the server artifact in the local Maven
# repository, so run "mvn -q install -DskipTests" at the repository root first.
# Arguments are passed to the JVM before -jar.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source ../../etc/jdk.sh

if ! mvn -B -q -Dstyle.color=never package -DskipTests; then
  echo "error: building the walkthrough failed. If Maven could not find" \
    "io.durablestreams:durable-streams-server, run 'mvn -q install -DskipTests' at the" \
    "repository root first." >&2
  exit 1
fi
exec java "$@" -jar target/durable-streams-walkthrough.jar
