#!/usr/bin/env bash
# Screenshot a page of a built book with headless Chromium, offline:
#   scripts/screenshot.sh <page.html> <out.png> [height]
set -euo pipefail
page=$(realpath "$1"); out=$2; height=${3:-3000}
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1280,"$height" \
  --virtual-time-budget=8000 --screenshot="$out" "file://$page" >/dev/null 2>&1
rm -rf "$profile"
echo "$out"
