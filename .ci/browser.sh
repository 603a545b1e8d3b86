# shellcheck shell=bash
# What the browser and hub tests need from outside PyPI. Source it (".ci/run" does):
#
#   . .ci/browser.sh     # Chromium and fonts from Debian packages, when missing
#                        # (Playwright drives this Chromium: never `playwright install`);
#                        # configurable-http-proxy, JupyterHub's proxy, from the npm
#                        # registry into .cache/chp, once (tests/delivery/test_hub.py looks there)
#
# It starts nothing and leaves no trap behind.

competency_browser_setup() {
    local pkg missing=()
    for pkg in chromium fonts-dejavu-core fonts-liberation; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "browser.sh: installing ${missing[*]} from Debian packages" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if [ ! -x .cache/chp/node_modules/.bin/configurable-http-proxy ]; then
        echo "browser.sh: installing configurable-http-proxy from the npm registry" >&2
        npm install --prefix .cache/chp --no-audit --no-fund --loglevel=error \
            configurable-http-proxy >/dev/null
    fi
    export CCT_CHROMIUM=/usr/bin/chromium
    echo "browser.sh: $(/usr/bin/chromium --version 2>/dev/null | head -n 1);" \
        "configurable-http-proxy $(.cache/chp/node_modules/.bin/configurable-http-proxy --version)" >&2
}

competency_browser_setup
