#!/usr/bin/env bash
# Runs the Durable Streams server conformance suite once against a running server.
#
# Usage: run.sh [BASE_URL] [VITEST_ARGS...]
#   BASE_URL     server base URL; defaults to $DS_BASE_URL, then http://127.0.0.1:4437
#   VITEST_ARGS  passed to `vitest run`, e.g. -t "Fork - Reading" to run one group
#
# Exits with vitest's status, which is non-zero when any test fails, and 2 when the
# arguments are invalid or no server responds at BASE_URL.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

base_url="${DS_BASE_URL:-http://127.0.0.1:4437}"
if [[ $# -gt 0 && "$1" != -* ]]; then
  base_url="$1"
  shift
fi

case "$base_url" in
  http://* | https://*) ;;
  *)
    echo "error: invalid base URL \"$base_url\": it must start with http:// or https://" >&2
    exit 2
    ;;
esac

cd "$script_dir"

if [[ ! -x node_modules/.bin/vitest ]]; then
  echo "Installing the conformance suite with npm ci in $script_dir"
  npm ci --no-audit --no-fund
fi

# Fail fast with a clear message instead of 300+ identical connection errors.
if ! node -e '
  const url = process.argv[1];
  fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5000) })
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(`error: no server responded at ${url}: ${error.cause?.code ?? error.cause?.message ?? error.message}`);
      console.error("Start the server first, or pass its base URL as the first argument.");
      process.exit(1);
    });
' "$base_url"; then
  exit 2
fi

export DS_BASE_URL="$base_url"
# vitest 4.1 colors its output even when it goes to a file or a CI log.
if [[ ! -t 1 && -z "${FORCE_COLOR+set}" ]]; then
  export NO_COLOR=1
fi
results_file="$script_dir/last-run.json"
rm -f "$results_file"

echo "Running the conformance suite against $base_url"
status=0
node_modules/.bin/vitest run \
  --reporter=default \
  --reporter=json \
  --outputFile.json="$results_file" \
  "$@" || status=$?

if [[ -f "$results_file" ]]; then
  node summarize-results.mjs "$results_file"
fi

exit "$status"
