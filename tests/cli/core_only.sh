#!/usr/bin/env bash
# ctest-labels: slow
# The pure core (parse, segment, cast) configures, builds and passes its unit
# tests with -DTURNCAST_CORE_ONLY=ON, which asks for none of the audio
# packages: the configure log says so, and the cache holds no audio library.
set -uo pipefail
bin=$1; src=$2
command -v cmake >/dev/null || { echo "skip: cmake is not installed"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cmake -S "$src" -B "$tmp/build" -DTURNCAST_CORE_ONLY=ON -DCMAKE_BUILD_TYPE=Release >"$tmp/configure.log" 2>&1 ||
  { echo "FAIL: configure"; cat "$tmp/configure.log"; exit 1; }
grep -q "the pure core only" "$tmp/configure.log" || { echo "FAIL: not a core-only configure"; exit 1; }
for lib in AV_FOUND OPUS_FOUND SNDFILE_FOUND EBUR128_FOUND AUBIO_FOUND CARD_FOUND ESPEAK_LIBRARY; do
  grep -q "^$lib" "$tmp/build/CMakeCache.txt" && { echo "FAIL: the core-only configure looked for $lib"; exit 1; }
done
cmake --build "$tmp/build" -j "$(nproc)" >"$tmp/build.log" 2>&1 || { echo "FAIL: build"; tail -30 "$tmp/build.log"; exit 1; }
[ ! -e "$tmp/build/turncast" ] || { echo "FAIL: a core-only build made the turncast binary"; exit 1; }
(cd "$tmp/build" && ctest -j "$(nproc)" >"$tmp/ctest.log" 2>&1) || { echo "FAIL: unit tests"; tail -30 "$tmp/ctest.log"; exit 1; }
grep -E "tests passed" "$tmp/ctest.log"
