# shellcheck shell=bash
# What the browser and hub tests need from outside PyPI. Source it (".ci/run" does):
#
#   . .ci/browser.sh     # Chromium and fonts from Debian packages, when missing
#                        # (Playwright drives this Chromium: never `playwright install`);
#                        # configurable-http-proxy, JupyterHub's proxy, from the npm
#                        # registry into .cache/chp, once (tests/delivery/test_hub.py looks there);
#                        # axe-core, the accessibility checker, from the npm registry into
#                        # .cache/axe, pinned (tests/delivery/test_browser.py loads it)
#
# It starts nothing and leaves no trap behind.

# The accessibility checker the browser tests load into each page (tests/delivery/test_browser.py);
# pinned, so that a new axe release with new rules is a deliberate change.
AXE_CORE_VERSION=4.14.1

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
    if [ ! -f ".cache/axe/node_modules/axe-core/axe.min.js" ] ||
            ! grep -q "\"version\": \"$AXE_CORE_VERSION\"" .cache/axe/node_modules/axe-core/package.json; then
        echo "browser.sh: installing axe-core $AXE_CORE_VERSION from the npm registry" >&2
        npm install --prefix .cache/axe --no-audit --no-fund --loglevel=error \
            "axe-core@$AXE_CORE_VERSION" >/dev/null
    fi
    export CCT_CHROMIUM=/usr/bin/chromium
    echo "browser.sh: $(/usr/bin/chromium --version 2>/dev/null | head -n 1);" \
        "configurable-http-proxy $(.cache/chp/node_modules/.bin/configurable-http-proxy --version);" \
        "axe-core $(node -p "require('./.cache/axe/node_modules/axe-core/package.json').version")" >&2
}

competency_browser_setup
