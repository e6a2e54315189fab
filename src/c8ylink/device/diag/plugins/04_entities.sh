#!/bin/sh
# c8ylink diagnostic plugin: the entities tedge-agent knows (GET /te/v1/entities). Skipped (exit 2)
# when the agent does not answer; 03_mqtt's retained messages still show the registrations.
#   04_entities.sh collect --output-dir DIR [--config-dir DIR]
OUTPUT_DIR=""
CONFIG_DIR=${TEDGE_CONFIG_DIR:-/etc/tedge}
COMMAND=""
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

if ! tedge --config-dir "$CONFIG_DIR" http get /te/v1/entities >"$OUTPUT_DIR/entities.json" 2>"$OUTPUT_DIR/error.log"; then
    echo "tedge-agent's entity store did not answer (is tedge-agent running?):" >&2
    cat "$OUTPUT_DIR/error.log" >&2
    rm -f "$OUTPUT_DIR/entities.json" "$OUTPUT_DIR/error.log"
    exit 2
fi
rm -f "$OUTPUT_DIR/error.log"
echo "tedge http get /te/v1/entities: $(wc -c <"$OUTPUT_DIR/entities.json") bytes in entities.json"
exit 0
