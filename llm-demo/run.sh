#!/usr/bin/env bash
# Starts the LLM demo and prints the page's URL (http://127.0.0.1:8437/ unless changed).
# Builds the server and the demo first when their sources changed since the last build.
#
# Usage: llm-demo/run.sh [JAVA_OPTIONS...]
#   for example: llm-demo/run.sh -Dserver.port=9000 -Dllm-demo.demo.tokens-per-second=10
# Real providers are chosen by environment variables; see llm-demo/README.md.
set -euo pipefail

demo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(dirname "$demo_dir")"
source "$repo_dir/etc/jdk.sh"

jar="$demo_dir/target/llm-demo.jar"
if [[ ! -f "$jar" ]] || [[ -n "$(find "$repo_dir/pom.xml" "$repo_dir/src/main" \
    "$demo_dir/pom.xml" "$demo_dir/src/main" -newer "$jar" -print -quit)" ]]; then
  echo "Building the server and the demo..." >&2
  (cd "$repo_dir" && mvn -B -q install -DskipTests)
  (cd "$demo_dir" && mvn -B -q package -DskipTests)
fi

# The data directory sits beside the demo, whatever the current directory; a
# -Ddurable-streams.storage.directory option in the arguments comes later and wins.
exec java -Ddurable-streams.storage.directory="$demo_dir/data" "$@" -jar "$jar"
