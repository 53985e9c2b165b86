#!/usr/bin/env bash
# Start or stop the throwaway Neo4j that CI tests run against.
#
#   bash .ci/neo4j.sh start   # Neo4j Community 5.26 from Maven Central, Bolt on 127.0.0.1
#   bash .ci/neo4j.sh stop    # stops it by its own pid (safe to call when it is not running)
#
# Reads NEO4J_PASSWORD (required for start), and the port from NEO4J_URI
# (bolt://127.0.0.1:PORT), else QMAP_NEO4J_BOLT_PORT / QMAP_NEO4J_PORT, else 7687.
# Data lives in $QMAP_NEO4J_HOME (default ${TMPDIR:-/tmp}/qmap-ci-neo4j), never in the repo;
# every start wipes it, so each run begins empty with the password of that run.
set -euo pipefail
cd "$(dirname "$0")/.."

action="${1:-}"
if [[ -n "${NEO4J_URI:-}" && "$NEO4J_URI" =~ ^[a-z+]+://(127\.0\.0\.1|localhost):([0-9]+) ]]; then
  port="${BASH_REMATCH[2]}"
else
  port="${QMAP_NEO4J_BOLT_PORT:-${QMAP_NEO4J_PORT:-7687}}"
fi
export QMAP_NEO4J_HOME="${QMAP_NEO4J_HOME:-${TMPDIR:-/tmp}/qmap-ci-neo4j}"
python=".venv/bin/python"
[[ -x "$python" ]] || python="python3"

case "$action" in
  start)
    : "${NEO4J_PASSWORD:?set NEO4J_PASSWORD (8+ characters) before starting Neo4j}"
    if ! "$python" -m graphmodel.store.server start --port "$port" --reset --timeout 300; then
      echo "--- last lines of $QMAP_NEO4J_HOME/logs/neo4j.log" >&2
      tail -n 40 "$QMAP_NEO4J_HOME/logs/neo4j.log" >&2 2>/dev/null || true
      tail -n 20 "$QMAP_NEO4J_HOME/logs/console.log" >&2 2>/dev/null || true
      exit 1
    fi
    ;;
  stop)
    "$python" -m graphmodel.store.server stop --port "$port"
    ;;
  status)
    "$python" -m graphmodel.store.server status --port "$port"
    ;;
  *)
    echo "usage: bash .ci/neo4j.sh start|stop|status" >&2
    exit 2
    ;;
esac
