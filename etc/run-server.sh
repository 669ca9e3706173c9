#!/usr/bin/env bash
# Builds the server jar when it is missing or older than the sources, then starts the server in
# the foreground. Arguments are passed to the JVM before -jar, for example -Dserver.port=8080.
# Relative paths (the data directory, DURABLE_STREAMS_CONFIG_FILE) resolve against the current
# directory.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/etc/jdk.sh"

jar="$repo/target/durable-streams-server.jar"
if [[ ! -f "$jar" ]] || [[ -n "$(find "$repo/src/main" "$repo/pom.xml" -newer "$jar" -print -quit)" ]]; then
  (cd "$repo" && mvn -B -q package -DskipTests)
fi
exec java "$@" -jar "$jar"
