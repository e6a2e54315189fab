#!/bin/sh
# c8ylink diagnostic plugin: the local broker's retained messages (the entity registrations, their
# twins and health) and 5 seconds of its traffic. Fails when the broker cannot be reached.
#   03_mqtt.sh collect --output-dir DIR [--config-dir DIR]
OUTPUT_DIR=""
CONFIG_DIR=${TEDGE_CONFIG_DIR:-/etc/tedge}
COMMAND=""
DURATION=${DIAG_MQTT_DURATION:-5s}
while [ $# -gt 0 ]; do
    case "$1" in
        collect) COMMAND=collect; shift ;;
        --output-dir) OUTPUT_DIR=$2; shift 2 ;;
        --config-dir) CONFIG_DIR=$2; shift 2 ;;
        *) shift ;;
    esac
done
if [ "$COMMAND" != collect ] || [ ! -d "$OUTPUT_DIR" ]; then
    echo "usage: $0 collect --output-dir DIR [--config-dir DIR] (DIR must exist)" >&2
    exit 1
fi

sub() { tedge --config-dir "$CONFIG_DIR" mqtt sub --connection-timeout 2s "$@"; }

echo "tedge mqtt sub '#' --retained-only --duration 1s"
if ! sub '#' --retained-only --duration 1s >"$OUTPUT_DIR/tedge-mqtt-sub-retained-only.log" 2>&1; then
    cat "$OUTPUT_DIR/tedge-mqtt-sub-retained-only.log" >&2
    exit 1
fi
echo "tedge mqtt sub '#' --duration $DURATION"
sub '#' --duration "$DURATION" >"$OUTPUT_DIR/tedge-mqtt-sub.log" 2>&1 || :
exit 0
