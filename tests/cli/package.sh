#!/usr/bin/env bash
# `cpack -G DEB` makes a Debian package whose dependencies are Debian's
# library packages (dpkg-shlibdeps), holding /usr/bin/turncast and its data
# in /usr/share/turncast. Unpacked into a scratch root, the packaged binary
# reads the packaged data (not the source tree) and renders a transcript.
set -uo pipefail
bin=$1; src=$2
for t in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$t" >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
build=$(dirname "$bin")
(cd "$build" && cpack -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1) || { echo "FAIL: cpack"; cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/pkg/turncast_*_amd64.deb "$tmp"/pkg/turncast_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "FAIL: no .deb made"; ls -R "$tmp/pkg"; exit 1; }

depends=$(dpkg-deb -f "$deb" Depends)
for p in libespeak-ng1 libavformat libavcodec libopus0 libsndfile1 libebur128 libcairo2 libpango espeak-ng-data fonts-dejavu-core fonts-wqy-microhei; do
  echo "$depends" | grep -q "$p" || { echo "FAIL: Depends lacks $p: $depends"; fail=1; }
done
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/turncast ./usr/share/turncast/cast.toml ./usr/share/turncast/rules.toml \
         ./usr/share/turncast/lexicon.tsv ./usr/share/turncast/readings.toml; do
  echo "$contents" | grep -q " $f\$" || { echo "FAIL: the package lacks $f"; fail=1; }
done

dpkg-deb -x "$deb" "$tmp/root"
turncast=$tmp/root/usr/bin/turncast
"$turncast" voices | head -1 | grep -q "$tmp/root/usr/bin/../share/turncast/cast.toml" ||
  { echo "FAIL: the packaged binary reads another cast file: $("$turncast" voices | head -1)"; fail=1; }
(cd "$tmp" && "$turncast" -q render "$src/tests/fixtures/render/springfield.txt" -o out >/dev/null) ||
  { echo "FAIL: the packaged binary did not render"; fail=1; }
[ -s "$tmp/out/springfield/springfield.m4a" ] || { echo "FAIL: no M4A from the packaged binary"; fail=1; }
[ "$fail" -eq 0 ] && echo "package: $(basename "$deb") ok"
exit "$fail"
