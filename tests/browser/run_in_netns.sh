#!/bin/sh
# Run a command in a fresh network namespace: only `lo`, brought up, so nothing it sends can
# leave the machine (127.0.0.1 only). Also a fresh PID namespace: the command is its init, so
# when the command or this runner dies (SIGTERM/SIGKILL from a test's timeout), the kernel
# kills everything left inside, Chromium included. Needs root (or user namespaces).
#
#   tests/browser/run_in_netns.sh COMMAND [ARGS...]
set -eu
if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi
exec unshare --net --pid --fork --kill-child --mount-proc -- \
    /bin/sh -c 'ip link set lo up && exec "$@"' run_in_netns "$@"
