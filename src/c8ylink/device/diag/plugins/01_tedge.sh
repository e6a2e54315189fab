#!/bin/sh
# c8ylink diagnostic plugin: the tedge configuration and the logs of the tedge services.
#   01_tedge.sh collect --output-dir DIR [--config-dir DIR]
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

# a key whose name says secret (password, secret, token, pin) keeps its name, not its value
redact() {
    sed -E -e 's/^([[:space:]]*[A-Za-z0-9_.-]*(password|secret|token)[A-Za-z0-9_.-]*[[:space:]]*=).*$/\1 <redacted>/I' \
        -e 's/^([[:space:]]*([A-Za-z0-9_.-]*[_.])?pin[[:space:]]*=).*$/\1 <redacted>/I'
}

tedge_() { tedge --config-dir "$CONFIG_DIR" "$@"; }

collect() {
    echo "tedge $(tedge --version 2>&1)"
    tedge_ config list --all >"$OUTPUT_DIR/tedge-config-list.log" 2>&1 ||
        echo "tedge config list failed: see tedge-config-list.log" >&2
    for file in tedge.toml system.toml; do
        if [ -f "$CONFIG_DIR/$file" ]; then
            redact <"$CONFIG_DIR/$file" >"$OUTPUT_DIR/$file"
        fi
    done
    ls -lR "$CONFIG_DIR" >"$OUTPUT_DIR/config-dir.txt" 2>&1 || :

    # the logs of the operations and services (logs.path), the last 1000 lines of each
    logs=$(tedge_ config get logs.path 2>/dev/null || echo /var/log/tedge)
    if [ -d "$logs" ]; then
        find "$logs" -maxdepth 2 -type f | while read -r file; do
            target="$OUTPUT_DIR/logs/${file#"$logs"/}"
            mkdir -p "$(dirname "$target")"
            tail -n 1000 "$file" >"$target" 2>&1 || :
        done
    else
        echo "logs.path $logs does not exist" >&2
    fi

    # the services under systemd
    if [ -d /run/systemd/system ] && command -v journalctl >/dev/null 2>&1; then
        for unit in tedge-agent tedge-mapper-c8y; do
            journalctl -u "$unit" -n 1000 --no-pager >"$OUTPUT_DIR/$unit.journal.log" 2>&1 || :
        done
    fi
}

collect
exit 0
