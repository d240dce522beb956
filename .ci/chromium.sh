#!/usr/bin/env bash
# Debian's Chromium for the browser tests (make e2e); prints its path.
#
#   .ci/chromium.sh    # installs Debian's chromium if missing, prints /usr/bin/chromium
#
# NEWSFLOW_CHROMIUM names another executable instead (then nothing is installed).
# Playwright's own browser download (`playwright install`) is never used: CI reaches
# PyPI and the Debian mirrors only, and the distribution's build gets security updates.
set -euo pipefail

chromium=${NEWSFLOW_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
    if [ -n "${NEWSFLOW_CHROMIUM:-}" ]; then
        echo "chromium.sh: NEWSFLOW_CHROMIUM=$chromium is not an executable" >&2
        exit 1
    fi
    if ! command -v apt-get >/dev/null; then
        echo "chromium.sh: $chromium is missing and there is no apt-get to install it;" \
            "install Chromium and set NEWSFLOW_CHROMIUM to its path" >&2
        exit 1
    fi
    if [ "$(id -u)" = 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null; then
        sudo="sudo"
    else
        echo "chromium.sh: installing Debian's chromium needs root (or sudo):" \
            "apt-get install chromium" >&2
        exit 1
    fi
    echo "chromium.sh: installing Debian's chromium" >&2
    # Without its recommends (udev, upower, a notification daemon: desktop parts a
    # headless browser never uses), but with the fonts it recommends, or a clean
    # machine renders pages (and screenshots) without any font at all. `env` because
    # sudo drops DEBIAN_FRONTEND from the environment it passes on.
    install_chromium() {
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends chromium fonts-liberation >&2
    }
    # Update the package lists only when they do not know the package (a fresh machine
    # or container has none), or when they are so old the mirror dropped their .debs.
    if ! apt-cache show chromium >/dev/null 2>&1; then
        $sudo apt-get update -qq >&2
    fi
    if ! install_chromium && ! { $sudo apt-get update -qq >&2 && install_chromium; }; then
        echo "chromium.sh: apt-get could not install chromium" >&2
        exit 1
    fi
    if [ ! -x "$chromium" ]; then
        echo "chromium.sh: chromium is installed but $chromium is missing" >&2
        exit 1
    fi
fi
echo "$chromium"
