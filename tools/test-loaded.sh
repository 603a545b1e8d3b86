#!/usr/bin/env bash
# The test suite on a busy machine (`make test-loaded`; not part of CI): one CPU burner
# per core, in a process group of its own that a trap kills however this script ends,
# waits scaled by COMPETENCY_TEST_TIMEOUT_SCALE (4 unless set; tests/conftest.py reads
# it), then the whole suite as `make test` runs it, and the wall time.
#
#   tools/test-loaded.sh                       # the whole suite (bash tools/run-tests.sh)
#   tools/test-loaded.sh pytest tests/test_grading.py   # any command, under the same load
set -euo pipefail
cd "$(dirname "$0")/.."

cores=$(nproc)
export COMPETENCY_TEST_TIMEOUT_SCALE="${COMPETENCY_TEST_TIMEOUT_SCALE:-4}"
burners=""

stop_burners() {
    if [ -n "$burners" ]; then
        kill -KILL -- "-$burners" 2>/dev/null || true
        wait "$burners" 2>/dev/null || true
        burners=""
    fi
}
# Ctrl-C reaches the command too (same process group); the traps run when it has ended.
trap stop_burners EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# setsid makes the burners' shell the leader of a new session and process group
# (pid = group id); the busy loops are its children, in that group.
setsid bash -c 'for _ in $(seq "$1"); do sha256sum /dev/zero & done; wait' burners "$cores" \
    </dev/null >/dev/null 2>&1 &
burners=$!
for _ in $(seq 100); do  # until setsid has run: the group is there to be killed
    [ "$(ps -o pgid= -p "$burners" | tr -d ' ')" = "$burners" ] && break
    sleep 0.05
done
echo "test-loaded: $cores CPU burner(s) in process group $burners;" \
    "COMPETENCY_TEST_TIMEOUT_SCALE=$COMPETENCY_TEST_TIMEOUT_SCALE" >&2

if [ "$#" -eq 0 ]; then
    set -- bash tools/run-tests.sh
fi
started=$(date +%s)
status=0
"$@" || status=$?
echo "test-loaded: '$*' exited $status after $(( $(date +%s) - started )) s wall time" \
    "($cores burner(s), waits x$COMPETENCY_TEST_TIMEOUT_SCALE)" >&2
exit "$status"
