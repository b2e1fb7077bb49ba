#!/usr/bin/env bash
# Installs the npm packages the tests use — tests/tools/package.json, pinned
# by its package-lock.json — into BUILD_DIR/npm, once: a later call reuses
# them while the lock file is unchanged. Prints the node_modules folder.
#
#   tests/tools/npm_deps.sh BUILD_DIR      e.g. axe=$(tests/tools/npm_deps.sh build)/axe-core/axe.min.js
#
# Exit status: 0 installed (or already there), 77 npm is missing or the
# registry cannot be reached (the calling test reports itself skipped),
# 1 anything else (the log is printed).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: npm_deps.sh BUILD_DIR}
dest=$build/npm
skip() { echo "skip: $*" >&2; exit 77; }

command -v npm >/dev/null || skip "npm is not installed (scripts/setup installs it)"
mkdir -p "$dest" || exit 1
# Tests run in parallel: one installs, the others wait for it.
exec 9>"$dest/.lock"
flock 9

if [ -d "$dest/node_modules" ] && cmp -s "$here/package-lock.json" "$dest/installed-lock.json"; then
  echo "$dest/node_modules"
  exit 0
fi
rm -f "$dest/installed-lock.json"
cp "$here/package.json" "$here/package-lock.json" "$dest/" || exit 1
# No install scripts: the tests need the packages' files, not anything run on
# this machine. --prefer-offline reuses npm's cache when the registry is away.
if ! npm ci --prefix "$dest" --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error \
    >"$dest/npm.log" 2>&1; then
  if grep -qE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network' "$dest/npm.log"; then
    skip "the npm registry cannot be reached ($(grep -m1 -oE 'E[A-Z_]{4,}' "$dest/npm.log"))"
  fi
  echo "npm ci failed in $dest:" >&2
  cat "$dest/npm.log" >&2
  exit 1
fi
cp "$here/package-lock.json" "$dest/installed-lock.json" || exit 1
echo "$dest/node_modules"
