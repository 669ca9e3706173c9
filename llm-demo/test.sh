#!/usr/bin/env bash
# Runs every test of the LLM demo: the JUnit tests (mvn verify), then the end-to-end tests in
# headless Chromium against the demo, started here on a free loopback port and stopped
# afterwards. Installs what it needs: Chromium from Debian packages when /usr/bin/chromium is
# missing, and playwright-core with npm ci. Exits non-zero when any test fails.
set -euo pipefail

demo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(dirname "$demo_dir")"
source "$repo_dir/etc/jdk.sh"

# The demo depends on the server artifact of this checkout.
(cd "$repo_dir" && mvn -B -q install -DskipTests)
(cd "$demo_dir" && mvn -B verify)

if [[ ! -x /usr/bin/chromium ]]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
(cd "$demo_dir/e2e" && npm ci --no-audit --no-fund)

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$demo_dir/target/e2e-server.log"
# A steady pace of 50 tokens per second keeps each answer a few seconds long: long enough to
# drop the connection mid-answer, short enough for a quick run.
java -Dserver.host=127.0.0.1 -Dserver.port="$port" \
  -Dllm-demo.provider=demo \
  -Ddurable-streams.storage.directory="$(mktemp -d -t llm-demo-data.XXXXXX)" \
  -Dllm-demo.demo.tokens-per-second=50 \
  -Dllm-demo.demo.first-token-delay=PT0.2S \
  -jar "$demo_dir/target/llm-demo.jar" > "$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/api/info"; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: the demo exited during start-up; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done

status=0
(cd "$demo_dir/e2e" && LLM_DEMO_URL="http://127.0.0.1:$port" \
  SCREENSHOT_DIR="$demo_dir/target/screenshots" \
  node --test --test-concurrency=1 --test-reporter=spec demo.test.mjs) || status=$?
if [[ $status -ne 0 ]]; then
  echo "error: end-to-end tests failed; the demo's log is $log" >&2
fi
exit "$status"
