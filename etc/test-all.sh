#!/usr/bin/env bash
# Runs every test and fails on any failure. First come the JUnit tests and the crash test
# (mvn verify). Then the official conformance suite runs against the built jar twice, once with
# the in-memory store and once with the file store, each server on a free loopback port. Last
# come the LLM demo's tests and the examples, which start and stop their own servers.
# The subscription tests run too (DS_SUBSCRIPTIONS=true). Their webhook receiver listens on
# 127.0.0.1, so the servers allow loopback webhooks, a setting for development only.
# Arguments are passed to the conformance runner (etc/conformance/run.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source etc/jdk.sh

mvn -B verify

work="$(mktemp -d -t durable-streams-test.XXXXXX)"
server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

# Starts the jar with the given JVM options and sets base_url once it accepts requests.
start_server() {
  local port log
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  log="$work/server-$port.log"
  # The suite's tests that wait for a long-poll timeout have a 5 s budget, so the server under
  # test uses a short timeout.
  java -Dserver.host=127.0.0.1 -Dserver.port="$port" \
    -Ddurable-streams.long-poll-timeout=PT0.5S \
    -Ddurable-streams.subscriptions.allow-insecure-localhost-webhooks=true "$@" \
    -jar target/durable-streams-server.jar > "$log" 2>&1 &
  server_pid=$!
  base_url="http://127.0.0.1:$port"
  if ! curl -s -o /dev/null --retry 100 --retry-delay 0 --retry-max-time 30 \
      --retry-connrefused "$base_url/"; then
    echo "error: the server did not start; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
}

echo "== Conformance suite, in-memory store"
start_server -Ddurable-streams.storage.type=memory
DS_SUBSCRIPTIONS=true etc/conformance/run.sh "$base_url" "$@"
stop_server

echo "== Conformance suite, file store (fsync before acknowledging)"
start_server -Ddurable-streams.storage.type=file \
  -Ddurable-streams.storage.directory="$work/data"
DS_SUBSCRIPTIONS=true etc/conformance/run.sh "$base_url" "$@"
stop_server

echo "== LLM demo: JUnit and browser tests"
# The demo's script starts and stops its own demo server.
llm-demo/test.sh
etc/test-examples.sh
