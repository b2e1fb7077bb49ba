#!/usr/bin/env bash
# `cmake --install` puts turncast in PREFIX/bin and its data in
# PREFIX/share/turncast, and the installed binary reads its data from there
# (not from the source tree it was built in): it plans and renders the sample.
set -euo pipefail
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
build=$(dirname "$bin")
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
[ -x "$tmp/prefix/bin/turncast" ] || { echo "FAIL: no installed binary"; exit 1; }
for f in cast.toml rules.toml lexicon.tsv readings.toml; do
  [ -f "$tmp/prefix/share/turncast/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
"$tmp/prefix/bin/turncast" voices | head -1 | grep -q "$tmp/prefix/bin/../share/turncast/cast.toml" \
  || { echo "FAIL: the installed binary reads another cast file: $("$tmp/prefix/bin/turncast" voices | head -1)"; exit 1; }
# The installed data, changed, is what the installed binary uses.
sed -i 's/^pitch = 40$/pitch = 41/' "$tmp/prefix/share/turncast/cast.toml"
"$tmp/prefix/bin/turncast" voices | grep -E '^  main ' | grep -q ' 41 ' || { echo "FAIL: the installed cast file is not read"; exit 1; }
"$tmp/prefix/bin/turncast" -q render "$src/tests/fixtures/render/springfield.txt" -o "$tmp/out" >/dev/null
[ -s "$tmp/out/springfield/springfield.opus" ] || { echo "FAIL: the installed binary did not render"; exit 1; }
echo ok
