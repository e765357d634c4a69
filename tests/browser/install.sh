#!/usr/bin/env bash
# The pinned npm packages of the accessibility check (axe-core, puppeteer-core driving the
# system Chromium; no browser is downloaded). Skipped with a note when npm is missing.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null; then
  echo "npm not found: the accessibility test (tests/integration/test_accessibility.py) will be skipped" >&2
  exit 0
fi
if [ ! -d node_modules/axe-core ] || [ ! -d node_modules/puppeteer-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
