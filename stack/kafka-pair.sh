#!/usr/bin/env bash
# A second, two-broker KRaft cluster for the tests that need more than one broker (kafkajs fetches
# per broker): node 1 is broker and controller on 127.0.0.1:$KAFKA_PAIR_PORT (controller on the next
# port), node 2 a broker only on $KAFKA_PAIR_PORT + 2. From the jars stack/up.sh resolved; data in
# .stack/kafka-pair, wiped by `down`. Not part of the main stack: a test starts it and stops it.
#   bash stack/kafka-pair.sh up     starts both (idempotent) and waits until both serve metadata
#   bash stack/kafka-pair.sh down   stops both and wipes their data
set -euo pipefail
source "$(dirname "$0")/env.sh"
PAIR_DIR="$STACK_DIR/kafka-pair"
PAIR_PORT="${KAFKA_PAIR_PORT:-19092}"
CONTROLLER_PORT=$((PAIR_PORT + 1))
SECOND_PORT=$((PAIR_PORT + 2))

# The main broker's settings (stack/kafka/server.properties: single-replica internal topics, no
# auto-created topics), with this node's id, roles, listeners and data directory.
props() { # node id, roles, port
  local listeners="PLAINTEXT://127.0.0.1:$3"
  [[ "$2" == *controller* ]] && listeners="$listeners,CONTROLLER://127.0.0.1:$CONTROLLER_PORT"
  sed -e "s#^process.roles=.*#process.roles=$2#" -e "s#^node.id=.*#node.id=$1#" \
    -e "s#^controller.quorum.voters=.*#controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT#" \
    -e "s#^listeners=.*#listeners=$listeners#" -e "s#^advertised.listeners=.*#advertised.listeners=PLAINTEXT://127.0.0.1:$3#" \
    "$ROOT_DIR/stack/kafka/server.properties"
  echo "log.dirs=$PAIR_DIR/data-$1"
}

serves_metadata() {
  kafka_tool org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "127.0.0.1:$1" >/dev/null 2>&1
}

up() {
  [ -f "$KAFKA_LIBS/.resolved-$(kafka_version)" ] || { echo "kafka-pair: the broker jars are not resolved; run stack/up.sh first" >&2; exit 1; }
  mkdir -p "$PAIR_DIR/logs"
  local cluster_id=""
  for node in 1 2; do
    local port roles
    if [ "$node" = 1 ]; then port=$PAIR_PORT roles=broker,controller; else port=$SECOND_PORT roles=broker; fi
    if port_open "$port"; then echo "kafka-pair: node $node already listening on 127.0.0.1:$port"; continue; fi
    props "$node" "$roles" "$port" > "$PAIR_DIR/node-$node.properties"
    if [ ! -f "$PAIR_DIR/data-$node/meta.properties" ]; then
      [ -n "$cluster_id" ] || cluster_id="$(cat "$PAIR_DIR/cluster-id" 2>/dev/null || kafka_tool kafka.tools.StorageTool random-uuid 2>/dev/null | tee "$PAIR_DIR/cluster-id")"
      kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$PAIR_DIR/node-$node.properties" > "$PAIR_DIR/logs/format-$node.log" 2>&1 \
        || { cat "$PAIR_DIR/logs/format-$node.log" >&2; exit 1; }
    fi
    mkdir -p "$PAIR_DIR/logs/node-$node"
    setsid nohup java -Xms128m -Xmx384m -Dkafka.logs.dir="$PAIR_DIR/logs/node-$node" -Dlog4j2.configurationFile="$ROOT_DIR/stack/kafka/log4j2.properties" \
      -cp "$KAFKA_LIBS/*" kafka.Kafka "$PAIR_DIR/node-$node.properties" > "$PAIR_DIR/logs/node-$node/stdout.log" 2>&1 &
    echo $! > "$PAIR_DIR/node-$node.pid"
    echo "kafka-pair: node $node starting (pid $!) on 127.0.0.1:$port"
  done
  wait_for 120 "kafka-pair node 1 metadata" serves_metadata "$PAIR_PORT"
  wait_for 120 "kafka-pair node 2 metadata" serves_metadata "$SECOND_PORT"
  echo "kafka-pair: brokers 127.0.0.1:$PAIR_PORT and 127.0.0.1:$SECOND_PORT"
}

down() {
  for node in 2 1; do
    local pidfile="$PAIR_DIR/node-$node.pid"
    [ -f "$pidfile" ] || continue
    local pid; pid=$(cat "$pidfile")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  rm -rf "$PAIR_DIR"
  echo "kafka-pair: stopped, data wiped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: bash stack/kafka-pair.sh up|down" >&2; exit 2 ;;
esac
