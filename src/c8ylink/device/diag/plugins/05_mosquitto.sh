#!/bin/sh
# c8ylink diagnostic plugin: mosquitto's configuration (passwords redacted), the bridge and listener
# files of tedge connect, and the end of mosquitto's log. Skipped (exit 2) without mosquitto.
#   05_mosquitto.sh collect --output-dir DIR [--config-dir DIR]
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

if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
    echo "mosquitto is not installed" >&2
    exit 2
fi

# copy DIR's *.conf files into TARGET with the values of password lines replaced
copy_conf() {
    [ -d "$1" ] || return 0
    mkdir -p "$2"
    for file in "$1"/*.conf; do
        [ -f "$file" ] || continue
        sed -E 's/^([[:space:]]*[A-Za-z_]*password[A-Za-z_]*)([[:space:]]+).*$/\1\2<redacted>/' "$file" >"$2/$(basename "$file")"
    done
}

copy_conf /etc/mosquitto "$OUTPUT_DIR/etc-mosquitto"
copy_conf /etc/mosquitto/conf.d "$OUTPUT_DIR/etc-mosquitto/conf.d"
copy_conf "$CONFIG_DIR/mosquitto-conf" "$OUTPUT_DIR/tedge-mosquitto-conf"

if [ -f /var/log/mosquitto/mosquitto.log ]; then
    ls -l /var/log/mosquitto/mosquitto.log
    tail -n 1000 /var/log/mosquitto/mosquitto.log >"$OUTPUT_DIR/mosquitto.log" 2>&1 || :
else
    echo "no /var/log/mosquitto/mosquitto.log" >&2
fi
if [ -d /run/systemd/system ] && command -v journalctl >/dev/null 2>&1; then
    journalctl -u mosquitto -n 1000 --no-pager >"$OUTPUT_DIR/mosquitto.journal.log" 2>&1 || :
fi
exit 0
