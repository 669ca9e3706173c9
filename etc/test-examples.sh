#!/usr/bin/env bash
# Builds and runs the examples under examples/, and fails on any failure:
#   1. the Java API walkthrough, checking its output;
#   2. the example Helidon application, started on a free loopback port, checking its own
#      routes and the protocol it mounts under /api/v1/stream, then running the official
#      conformance suite against that mount (base URL http://127.0.0.1:PORT/api, to which the
#      suite appends /v1/stream itself).
# Installs the server artifact in the local Maven repository first, because the examples
# depend on it like any application would.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source etc/jdk.sh

work="$(mktemp -d -t durable-streams-examples.XXXXXX)"
app_pid=""
stop_app() {
  if [[ -n "$app_pid" ]]; then
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
    app_pid=""
  fi
}
trap 'stop_app; rm -rf "$work"' EXIT

fail() {
  echo "error: $*" >&2
  exit 1
}

# Fails unless a file contains a line with the given text.
expect_line() {
  local file="$1" text="$2"
  if ! grep -qF -- "$text" "$file"; then
    echo "--- $file:" >&2
    cat "$file" >&2
    fail "expected a line containing: $text"
  fi
}

echo "== Installing the server artifact for the examples"
mvn -B -q -Dstyle.color=never install -DskipTests

echo "== Example: Java API walkthrough"
if ! examples/walkthrough/run.sh > "$work/walkthrough.out" 2> "$work/walkthrough.err"; then
  cat "$work/walkthrough.out" "$work/walkthrough.err" >&2
  fail "the walkthrough failed"
fi
cat "$work/walkthrough.out"
for line in \
    "read: hello world" \
    "resumed: world" \
    "live read: !" \
    "listener received: hello world! bye" \
    "listener status: CLOSED" \
    "append after close rejected:" \
    'json read: [{"type":"created"},{"type":"updated"},{"type":"deleted"}]' \
    'message at 0000000000000000_0000000000000019: {"type":"updated"}' \
    "walkthrough finished"; do
  expect_line "$work/walkthrough.out" "$line"
done

echo "== Example: Helidon application with streams mounted under /api/v1/stream"
(cd examples/helidon-app && mvn -B -q -Dstyle.color=never package -DskipTests)
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base_url="http://127.0.0.1:$port"
# The conformance suite's long-poll tests have a 5 s budget, so the application under test uses
# a short long-poll timeout, as etc/test-all.sh does for the standalone server.
examples/helidon-app/run.sh -Dserver.host=127.0.0.1 -Dserver.port="$port" \
  -Ddurable-streams.long-poll-timeout=PT0.5S \
  -Ddurable-streams.storage.directory="$work/app-data" > "$work/app.log" 2>&1 &
app_pid=$!
if ! curl -s -o /dev/null --retry 120 --retry-delay 0 --retry-max-time 60 \
    --retry-connrefused "$base_url/api/v1/rooms/lobby"; then
  cat "$work/app.log" >&2
  fail "the example application did not start"
fi

# The application's own route appends through the Java API.
status="$(curl -s -o "$work/post.json" -w '%{http_code}' -X POST -H 'Content-Type: text/plain' \
  --data 'hello from the example' "$base_url/api/v1/rooms/lobby/messages")"
[[ "$status" == 201 ]] || fail "POST /api/v1/rooms/lobby/messages returned $status, expected 201"
expect_line "$work/post.json" '"stream":"/api/v1/stream/rooms/lobby"'

status="$(curl -s -o "$work/room.json" -w '%{http_code}' "$base_url/api/v1/rooms/lobby")"
[[ "$status" == 200 ]] || fail "GET /api/v1/rooms/lobby returned $status, expected 200"
expect_line "$work/room.json" '"messages":1'

# The mounted protocol serves the same stream.
status="$(curl -s -D "$work/read.headers" -o "$work/read.json" -w '%{http_code}' \
  "$base_url/api/v1/stream/rooms/lobby?offset=-1")"
[[ "$status" == 200 ]] || fail "GET /api/v1/stream/rooms/lobby returned $status, expected 200"
expect_line "$work/read.json" '"text":"hello from the example"'
expect_line "$work/read.headers" "Stream-Next-Offset:"
expect_line "$work/read.headers" "X-Content-Type-Options: nosniff"

# The protocol's security headers stay off the application's own routes.
curl -s -D "$work/own.headers" -o /dev/null "$base_url/api/v1/rooms/lobby"
if grep -qi '^X-Content-Type-Options' "$work/own.headers"; then
  fail "the application's own route got the protocol's security headers"
fi

echo "== Conformance suite against the mount at /api/v1/stream"
etc/conformance/run.sh "$base_url/api"
stop_app
echo "== Examples passed"
