#!/usr/bin/env bash
# The render cache under faults (issue 7): corrupted and truncated entries
# under speech/ and pieces/ are detected and rendered again, and two renders of
# the same transcript at once (same output, same cache) both succeed with one
# correct result. "Correct" = decodes exactly like a cold render. `turncast
# cache prune` bounds the cache, and refuses (deleting nothing) while a render
# holds it, so a prune during a render cannot break the render; a render
# trims the cache to --cache-max-size when it finishes, keeping its own entries.
set -uo pipefail
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
cp "$src/tests/fixtures/render/springfield.txt" "$tmp/talk.txt"
slug=talk
pcm() { ffmpeg -v error -i "$1" -f s16le - | sha256sum; }
"$bin" render "$tmp/talk.txt" -o "$tmp/cold" --no-cache -j2 --quiet >/dev/null || { echo "FAIL: cold render"; exit 1; }
cold_opus=$(pcm "$tmp/cold/$slug/$slug.opus"); cold_m4a=$(pcm "$tmp/cold/$slug/$slug.m4a")
check_same() {  # check_same DIR WHAT
  [ "$(pcm "$1/$slug.opus")" = "$cold_opus" ] || { echo "FAIL: $2: opus decodes differently from a cold render"; fail=1; }
  [ "$(pcm "$1/$slug.m4a")" = "$cold_m4a" ] || { echo "FAIL: $2: m4a decodes differently from a cold render"; fail=1; }
  cmp -s "$1/$slug.vtt" "$tmp/cold/$slug/$slug.vtt" || { echo "FAIL: $2: captions differ from a cold render"; fail=1; }
  local stray; stray=$(find "$1" "$tmp/cache" \( -name '*.turncast-tmp-*' -o -name '*.turncast-new-*' \) 2>/dev/null)
  [ -z "$stray" ] || { echo "FAIL: $2: temporaries left:"; echo "$stray"; fail=1; }
}

# --- damaged entries ---------------------------------------------------------
"$bin" render "$tmp/talk.txt" -o "$tmp/warm" --cache-dir "$tmp/cache" -j2 --quiet >/dev/null || { echo "FAIL: warm render"; exit 1; }
flip() {  # flip FILE: overwrite 16 bytes in the middle with their complement
  python3 - "$1" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); m = len(b) // 2
for i in range(m, min(m + 16, len(b))): b[i] ^= 0xFF
open(p, "wb").write(b)
PY
}
mapfile -t wavs < <(find "$tmp/cache/speech" -name '*.wav' | LC_ALL=C sort)
mapfile -t jsons < <(find "$tmp/cache/speech" -name '*.json' | LC_ALL=C sort)
mapfile -t pieces < <(find "$tmp/cache/pieces" -type f | LC_ALL=C sort)
[ "${#wavs[@]}" -ge 4 ] && [ "${#pieces[@]}" -ge 8 ] || { echo "FAIL: cache holds ${#wavs[@]} speech and ${#pieces[@]} pieces"; exit 1; }
flip "${wavs[0]}"                       # PCM bytes changed
truncate -s 100 "${wavs[1]}"            # PCM cut short
truncate -s 0 "${jsons[2]}"             # index emptied
printf '{"samples": 12' >"${jsons[3]}"  # index cut mid-way
flip "${pieces[0]}"                     # packet bytes changed
truncate -s $(( $(stat -c %s "${pieces[1]}") / 2 )) "${pieces[1]}"  # packets cut short
: >"${pieces[2]}"
rm -f "${pieces[3]}"                    # entry gone
"$bin" render "$tmp/talk.txt" -o "$tmp/again" --cache-dir "$tmp/cache" -j2 --quiet >"$tmp/stdout" 2>"$tmp/stderr" \
  || { echo "FAIL: render over a damaged cache"; cat "$tmp/stderr"; fail=1; }
cat "$tmp/stdout"
grep -Eq '[1-9][0-9]* segments? spoken' "$tmp/stdout" || { echo "FAIL: damaged speech was not spoken again"; fail=1; }
check_same "$tmp/again/$slug" "after damaging the cache"
# The damaged entries were replaced by good ones: a render now needs nothing.
"$bin" render "$tmp/talk.txt" -o "$tmp/third" --cache-dir "$tmp/cache" -j2 --quiet >"$tmp/stdout" 2>&1 || fail=1
grep -Eq ' 0 segments spoken, 0 pieces encoded' "$tmp/stdout" || { echo "FAIL: the repaired cache still misses:"; cat "$tmp/stdout"; fail=1; }

# --- swapped, forged and absurd entries (issue 31) ----------------------------------
# An entry must prove it is the entry for its key: swapped pairs, forged
# events, an absurd sample count and a FIFO are all misses, rendered again and
# reported, and the audio and captions come out as from a cold render.
mapfile -t wavs < <(find "$tmp/cache/speech" -name '*.wav' | LC_ALL=C sort)
mapfile -t pieces < <(find "$tmp/cache/pieces" -name '*.opus' | LC_ALL=C sort)
swap() { mv "$1" "$tmp/swap" && mv "$2" "$1" && mv "$tmp/swap" "$2"; }
swap "${pieces[0]}" "${pieces[1]}"                                   # two pieces trade places
swap "${wavs[0]}" "${wavs[1]}"; swap "${wavs[0]%.wav}.json" "${wavs[1]%.wav}.json"  # two whole speech entries
python3 - "${wavs[2]%.wav}.json" "${wavs[3]%.wav}.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); j["events"] = [[0, 0, 0, 3]] + j["events"][1:]; json.dump(j, open(sys.argv[1], "w"))
j = json.load(open(sys.argv[2])); j["samples"] = 1e15; json.dump(j, open(sys.argv[2], "w"))
PY
rm -f "${pieces[2]}"; mkfifo "${pieces[2]}"                          # a FIFO where an entry was
"$bin" render "$tmp/talk.txt" -o "$tmp/forged" --cache-dir "$tmp/cache" -j2 >"$tmp/stdout" 2>"$tmp/stderr" \
  || { echo "FAIL: render over swapped and forged entries"; cat "$tmp/stderr"; fail=1; }
grep -q 'entries were damaged or not the entries for their keys; rendered again' "$tmp/stderr" \
  || { echo "FAIL: refused entries not reported:"; cat "$tmp/stderr"; fail=1; }
rm -f "${pieces[2]}"
check_same "$tmp/forged/$slug" "after swapping and forging entries"

# --- two renders at once ---------------------------------------------------------
for round in 1 2; do
  rm -rf "$tmp/both" "$tmp/cache"
  "$bin" render "$tmp/talk.txt" -o "$tmp/both" --cache-dir "$tmp/cache" -j1 --quiet >"$tmp/a.out" 2>"$tmp/a.err" & a=$!
  "$bin" render "$tmp/talk.txt" -o "$tmp/both" --cache-dir "$tmp/cache" -j1 --quiet >"$tmp/b.out" 2>"$tmp/b.err" & b=$!
  wait $a; ra=$?; wait $b; rb=$?
  [ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] || { echo "FAIL: concurrent renders (round $round) exited $ra and $rb"; cat "$tmp/a.err" "$tmp/b.err"; fail=1; }
  check_same "$tmp/both/$slug" "two renders at once (round $round)"
  python3 -c "import json,sys; m=json.load(open(sys.argv[1])); assert m['slug']=='talk'" "$tmp/both/$slug/manifest.json" \
    || { echo "FAIL: manifest after concurrent renders"; fail=1; }
done
# --- cache info and prune ----------------------------------------------------------
rm -rf "$tmp/out" "$tmp/cache"
"$bin" render "$tmp/talk.txt" -o "$tmp/out" --cache-dir "$tmp/cache" -j2 --quiet >/dev/null || { echo "FAIL: render for prune"; fail=1; }
size_mb() { "$bin" cache info --cache-dir "$tmp/cache" | sed -E 's/.*: ([0-9.]+) MB$/\1/'; }
before=$(size_mb)
python3 -c "import sys; assert float(sys.argv[1]) > 0.5" "$before" || { echo "FAIL: cache info reads $before MB after a render"; fail=1; }
# A render holds the cache's lock shared for its whole run; stand in for one,
# held from the moment "held" appears until "release" does.
flock -s "$tmp/cache/lock" -c "touch '$tmp/held'; while [ ! -e '$tmp/release' ]; do sleep 0.05; done" & holder=$!
for _ in $(seq 200); do [ -e "$tmp/held" ] && break; sleep 0.05; done
[ -e "$tmp/held" ] || { echo "FAIL: flock(1) did not take the cache's lock"; fail=1; }
"$bin" cache prune --cache-dir "$tmp/cache" --max-size 0 >"$tmp/p.out" 2>"$tmp/p.err"; rc=$?
[ "$rc" -eq 5 ] || { echo "FAIL: prune while a render held the cache exited $rc, expected 5"; fail=1; }
grep -q 'a render is using this cache, so nothing was pruned (prune it again when the render has finished)' "$tmp/p.err" \
  || { echo "FAIL: prune's refusal does not say why:"; cat "$tmp/p.err"; fail=1; }
[ "$(size_mb)" = "$before" ] || { echo "FAIL: a refused prune changed the cache"; fail=1; }
touch "$tmp/release"; wait $holder
"$bin" cache prune --cache-dir "$tmp/cache" --max-size 0.5 >"$tmp/p.out" 2>&1 || { echo "FAIL: prune"; cat "$tmp/p.out"; fail=1; }
python3 -c "import sys; assert float(sys.argv[1]) <= 0.5" "$(size_mb)" || { echo "FAIL: prune left $(size_mb) MB, over 0.5"; fail=1; }
# The pruned cache still renders the same audio.
"$bin" render "$tmp/talk.txt" -o "$tmp/out" --cache-dir "$tmp/cache" -j2 --quiet >/dev/null || { echo "FAIL: render after prune"; fail=1; }
check_same "$tmp/out/$slug" "after a prune"
# Prunes attempted all through a render: the render succeeds and is correct.
rm -rf "$tmp/out" "$tmp/cache"
"$bin" render "$tmp/talk.txt" -o "$tmp/out" --cache-dir "$tmp/cache" -j1 --quiet >"$tmp/r.out" 2>"$tmp/r.err" & r=$!
while kill -0 $r 2>/dev/null; do
  "$bin" cache prune --cache-dir "$tmp/cache" --max-size 0 >/dev/null 2>&1
  sleep 0.02
done
wait $r || { echo "FAIL: a render with prunes attempted during it failed:"; cat "$tmp/r.err"; fail=1; }
check_same "$tmp/out/$slug" "with prunes attempted during the render"
# --- a render's own bound (--cache-max-size) ---------------------------------------
# The corrected text shares every entry but one paragraph's with the original:
# rendered with a bound of 0 MB it removes that paragraph's entries, says so,
# and keeps all of its own, so rendering it again is up to date.
rm -rf "$tmp/out" "$tmp/cache"  # the prunes above may have emptied it after the render
"$bin" render "$tmp/talk.txt" -o "$tmp/out" --cache-dir "$tmp/cache" -j2 --quiet >/dev/null || { echo "FAIL: render before the bound"; fail=1; }
sed 's/walk by the river\./walk by the sea./' "$tmp/talk.txt" >"$tmp/fixed.txt"
cmp -s "$tmp/talk.txt" "$tmp/fixed.txt" && { echo "FAIL: the fixture no longer has the sentence this test corrects"; fail=1; }
"$bin" render "$tmp/fixed.txt" -o "$tmp/out" --cache-dir "$tmp/cache" --cache-max-size 0 -j2 >/dev/null 2>"$tmp/t.err" \
  || { echo "FAIL: render with --cache-max-size 0"; cat "$tmp/t.err"; fail=1; }
grep -qE '^turncast: render cache: removed [0-9.]+ MB of least recently used entries to stay within 0 MB \(--cache-max-size\)$' "$tmp/t.err" \
  || { echo "FAIL: the render did not say what it removed from the cache:"; cat "$tmp/t.err"; fail=1; }
"$bin" render "$tmp/fixed.txt" -o "$tmp/out" --cache-dir "$tmp/cache" --cache-max-size 0 -j2 --quiet >"$tmp/t.out" \
  && grep -q 'already up to date' "$tmp/t.out" || { echo "FAIL: the bound removed entries the render used:"; cat "$tmp/t.out"; fail=1; }
exit $fail
