#!/usr/bin/env bash
# Builds the server jar when it is missing, then starts the server in the foreground.
# Arguments are passed to the JVM before -jar, for example -Dserver.port=8080.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source etc/jdk.sh

if [[ ! -f target/durable-streams-server.jar ]]; then
  mvn -B -q package -DskipTests
fi
exec java "$@" -jar target/durable-streams-server.jar
