#!/usr/bin/env bash
# Stops what stack/up.sh started (by pid file); data stays in .stack/ unless --wipe is given.
set -uo pipefail
source "$(dirname "$0")/env.sh"
for svc in registry kafka; do
  pidfile="$STACK_DIR/$svc/pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    echo "$svc: stopped"
  fi
  rm -f "$pidfile"
done
if [ "${1:-}" = "--wipe" ]; then rm -rf "$KAFKA_DATA" "$STACK_DIR/registry"; echo "stack: data wiped"; fi
# the two-broker cluster a test starts (stack/kafka-pair.sh), if a run left it behind
if [ -d "$STACK_DIR/kafka-pair" ]; then bash "$(dirname "$0")/kafka-pair.sh" down; fi
