#!/usr/bin/env bash
# Debian packages ecoreport needs beyond Python. For a report (make report): xelatex and
# its fonts for the PDF (charts are drawn by vl-convert, which needs no browser). With
# --test (make test): also poppler (the PDF checks) and Chromium (the browser and
# accessibility tests). Installs them when run as root and missing; otherwise prints the
# exact command to run.
set -euo pipefail
packages=(latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended
          texlive-xetex texlive-lang-european fonts-freefont-otf)
purpose="the PDF"
if [ "${1:-}" = "--test" ]; then
  packages=(poppler-utils chromium)
  purpose="the tests (PDF checks, browser and accessibility tests)"
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages for $purpose: ${missing[*]} (about 2 minutes)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "ecoreport needs these Debian packages for $purpose:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  echo "(HTML-only builds work without them: make html)" >&2
  exit 1
fi
