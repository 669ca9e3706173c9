#!/usr/bin/env bash
# Runs every test: the JUnit tests (mvn verify), then the official conformance suite against the
# built jar, started here on a free loopback port and stopped afterwards. Fails on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source etc/jdk.sh

mvn -B verify

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$(mktemp -t durable-streams-server.XXXXXX.log)"
# The suite's tests that wait for a long-poll timeout have a 5 s budget, so the server under
# test uses a short timeout.
java -Dserver.host=127.0.0.1 -Dserver.port="$port" \
  -Ddurable-streams.long-poll-timeout=PT0.5S \
  -jar target/durable-streams-server.jar > "$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: the server exited during start-up; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done

etc/conformance/run.sh "http://127.0.0.1:$port" "$@"

# The LLM demo's JUnit and browser tests; the script starts and stops its own demo server.
llm-demo/test.sh
