# Sourced by the project's scripts: exports JAVA_HOME for a JDK of version 21 or newer, which
# Helidon 4 needs. Keeps a JAVA_HOME that is already new enough; otherwise picks the newest JDK
# under /usr/lib/jvm.

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

if [[ -z "${JAVA_HOME:-}" || ! -x "$JAVA_HOME/bin/java" || "$(java_major "$JAVA_HOME")" -lt 21 ]]; then
  JAVA_HOME=""
  best=0
  for candidate in /usr/lib/jvm/*; do
    if [[ -x "$candidate/bin/javac" ]]; then
      major="$(java_major "$candidate")"
      if [[ -n "$major" && "$major" -ge 21 && "$major" -gt "$best" ]]; then
        best="$major"
        JAVA_HOME="$candidate"
      fi
    fi
  done
  if [[ -z "$JAVA_HOME" ]]; then
    echo "error: no JDK 21 or newer found; install one or set JAVA_HOME to it" >&2
    exit 1
  fi
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
