#!/usr/bin/env bash
# Builds and starts the example Helidon application in the foreground, on
# http://127.0.0.1:8080 by default. It depends on the server artifact in the local Maven
# repository, so run "mvn -q install -DskipTests" at the repository root first.
# Arguments are passed to the JVM before -jar, for example -Dserver.port=9090.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source ../../etc/jdk.sh

if ! mvn -B -q -Dstyle.color=never package -DskipTests; then
  echo "error: building the example application failed. If Maven could not find" \
    "io.durablestreams:durable-streams-server, run 'mvn -q install -DskipTests' at the" \
    "repository root first." >&2
  exit 1
fi
exec java "$@" -jar target/durable-streams-example-app.jar
