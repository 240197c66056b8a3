#!/usr/bin/env bash
# Creates .venv (if missing) and installs wenxian-kg into it, with the test extra when asked.
# As root on Debian it also installs a CJK font, so the PNG pictures show Chinese characters
# (and, for the tests, Chromium for the browser checks). Neither is needed to build or query.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "test" ]; then
  .venv/bin/python -m pip install --quiet -e ".[test]"
else
  .venv/bin/python -m pip install --quiet -e .
fi
packages=()
fc-list 2>/dev/null | grep -qiE "wenquanyi|noto sans cjk|source han" || packages+=(fonts-wqy-microhei)
if [ "${1:-}" = "test" ] && ! command -v chromium >/dev/null 2>&1; then packages+=(chromium); fi
if [ ${#packages[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${packages[*]} (Debian packages) ..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null) \
    || echo "warning: could not install ${packages[*]}; pictures may show boxes for Chinese, browser tests will skip"
fi
