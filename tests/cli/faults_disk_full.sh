#!/usr/bin/env bash
# A full disk (issue 7): a small tmpfs as the output folder. The render stops
# with exit 5 and a message naming the path and the lack of space, leaves no
# partial or temporary file, and leaves previous outputs byte-identical.
# Needs root (mount); skipped with a message otherwise.
set -uo pipefail
bin=$1; src=$2
tmp=$(mktemp -d)
disk=$tmp/disk; mkdir "$disk"
cleanup() { umount "$disk" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
if ! mount -t tmpfs -o size=2m tmpfs "$disk" 2>"$tmp/mount.err"; then
  echo "skip: cannot mount a tmpfs here ($(cat "$tmp/mount.err")); the full-disk case is not tested"
  exit 77  # CTest reports it as skipped, never as passed
fi
fail=0
cp "$src/tests/fixtures/render/springfield.txt" "$tmp/talk.txt"
slug=talk
expect_full() {  # expect_full WHAT: last render failed for lack of space, cleanly
  local what=$1
  [ "$rc" -eq 5 ] || { echo "FAIL: $what: exit $rc, want 5"; cat "$tmp/stderr"; fail=1; }
  grep -qF "$disk/out" "$tmp/stderr" || { echo "FAIL: $what: message does not name the path"; cat "$tmp/stderr"; fail=1; }
  grep -Eqi "space|disk" "$tmp/stderr" || { echo "FAIL: $what: message does not say the disk is full"; cat "$tmp/stderr"; fail=1; }
  local stray; stray=$(find "$disk" \( -name '*.turncast-tmp-*' -o -name '*.turncast-new-*' \))
  [ -z "$stray" ] || { echo "FAIL: $what: temporaries left:"; echo "$stray"; fail=1; }
}

# 1. Cache and outputs on the full disk: nothing partial appears.
"$bin" render "$tmp/talk.txt" -o "$disk/out" -j2 --quiet >/dev/null 2>"$tmp/stderr"; rc=$?
expect_full "cache and output on a 2 MB disk"
[ -z "$(find "$disk/out/$slug" -type f 2>/dev/null)" ] || { echo "FAIL: partial outputs:"; find "$disk/out/$slug" -type f; fail=1; }
cat "$tmp/stderr"

# 2. Previous outputs on the disk, cache elsewhere; the disk then fills up.
rm -rf "$disk/out"
"$bin" render "$tmp/talk.txt" -o "$disk/out" --cache-dir "$tmp/cache" -j2 --quiet >/dev/null 2>"$tmp/stderr" \
  || { echo "FAIL: render that fits the disk"; cat "$tmp/stderr"; exit 1; }
(cd "$disk/out/$slug" && find . -type f | LC_ALL=C sort | xargs sha256sum) >"$tmp/before.sha"
dd if=/dev/zero of="$disk/filler" bs=4k 2>/dev/null  # until the disk is full
rm -f "$disk/filler"; dd if=/dev/zero of="$disk/filler" bs=1k count=$(( $(df -k --output=avail "$disk" | tail -1) - 40 )) 2>/dev/null
sed -i 's/Thank you/Many thanks/' "$tmp/talk.txt"
"$bin" render "$tmp/talk.txt" -o "$disk/out" --cache-dir "$tmp/cache" -j2 --quiet >/dev/null 2>"$tmp/stderr"; rc=$?
expect_full "previous outputs on a full disk"
(cd "$disk/out/$slug" && find . -type f | LC_ALL=C sort | xargs sha256sum) >"$tmp/after.sha"
cmp -s "$tmp/before.sha" "$tmp/after.sha" || { echo "FAIL: previous outputs changed:"; diff "$tmp/before.sha" "$tmp/after.sha"; fail=1; }
cat "$tmp/stderr"
exit $fail
