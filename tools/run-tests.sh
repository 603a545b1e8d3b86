#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: starts the services the tests need
# (a throwaway PostgreSQL on loopback; Chromium and configurable-http-proxy for the
# browser and hub tests when .ci/browser.sh is present), then lint, types and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1
# shellcheck source=../.ci/postgres.sh
. .ci/postgres.sh
if [ -f .ci/browser.sh ]; then
    # shellcheck source=/dev/null
    . .ci/browser.sh
fi
make lint typecheck pytest
