#!/bin/sh
# c8ylink diagnostic plugin: the system (kernel, release, uptime, disks, memory, processes).
#   02_os.sh collect --output-dir DIR [--config-dir DIR]
OUTPUT_DIR=""
COMMAND=""
while [ $# -gt 0 ]; do
    case "$1" in
        collect) COMMAND=collect; shift ;;
        --output-dir) OUTPUT_DIR=$2; shift 2 ;;
        *) shift ;;
    esac
done
if [ "$COMMAND" != collect ] || [ ! -d "$OUTPUT_DIR" ]; then
    echo "usage: $0 collect --output-dir DIR [--config-dir DIR] (DIR must exist)" >&2
    exit 1
fi

section() {
    echo "----- $*"
    "$@" 2>&1 || :
    echo
}

section uname -a
[ -f /etc/os-release ] && section cat /etc/os-release
section uptime
section df -h
command -v free >/dev/null 2>&1 && section free -m
ps -eo pid,ppid,user,rss,etime,args >"$OUTPUT_DIR/processes.txt" 2>&1 || :
exit 0
