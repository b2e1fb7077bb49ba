#!/usr/bin/env bash
# The web players of real renders — a short fixture and the bundled sample,
# with a cover — in headless Chromium (tests/tools/player_test.py): each
# plays and seeks as the render's own
# transcript.json and chapters.json say; at 1280x800 and 320x256 the
# transcript is never hidden by the player and focus never covered; every
# sentence plays from the keyboard; it shows the cover and names it in its
# Open Graph tags; and axe-core (pinned, tests/tools/npm_deps.sh) finds no
# violations. Skipped (77) without Chromium, or without npm for axe-core.
# ctest-labels: slow
set -uo pipefail
bin=$1
root=$2
py=/usr/bin/python3; [ -x "$py" ] || py=python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ffmpeg -nostdin -v error -f lavfi -i color=c=darkgreen:s=400x400 -frames:v 1 "$tmp/art.png" ||
  { echo "skip: ffmpeg cannot draw a test image"; exit 77; }
"$bin" render "$root/tests/fixtures/render/springfield.txt" "$root/examples/lavrov-volgograd-2021-08-30.txt" \
  -o "$tmp/out" --cache-dir "$tmp/cache" --cover "$tmp/art.png" --quiet >"$tmp/render.log" 2>&1 ||
  { echo "FAIL: render exited $?"; cat "$tmp/render.log"; exit 1; }

axe=()
modules=$(bash "$root/tests/tools/npm_deps.sh" "$(dirname "$bin")")
deps=$?
case $deps in
  0) axe=(--axe "$modules/axe-core/axe.min.js") ;;
  77) echo "axe-core cannot be installed here: its checks are left out" ;;
  *) echo "FAIL: npm_deps.sh exited $deps"; exit 1 ;;
esac

for slug in springfield lavrov-volgograd-2021-08-30; do
  echo "--- $slug"
  "$py" "$root/tests/tools/player_test.py" "$tmp/out/$slug" --cover cover.png "${axe[@]}" || exit $?
done
# Everything else passed, but without axe-core the page is not fully checked.
[ $deps -eq 77 ] && exit 77
echo "players of real renders ok"
