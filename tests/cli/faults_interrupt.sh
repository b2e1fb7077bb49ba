#!/usr/bin/env bash
# ctest-labels: slow
# Interrupted renders (issue 7, "Faults"): SIGINT, SIGTERM and SIGKILL sent
# after increasing delays, so that they land during synthesis, encoding and
# muxing. Each must leave the previous outputs byte-identical; SIGINT/SIGTERM
# must exit 130 and leave no temporary file anywhere (outputs or cache); after
# SIGKILL stray "*.tmp-*" files are tolerated (never mistaken for outputs) and
# the next render removes them. The cache the interrupted runs shared must
# then give a render that decodes exactly like a cold one.
set -uo pipefail
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
head -c 3000 "$src/examples/lavrov-volgograd-2021-08-30.txt" >"$tmp/talk.txt"
slug=talk
out=$tmp/out; dir=$out/$slug

# The previous outputs: version 1 of the transcript. Its duration T (a cold
# render) sets the delays below, so they land in the same stages under load.
t0=$(date +%s%N)
"$bin" render "$tmp/talk.txt" -o "$out" --no-cache -j2 --quiet >/dev/null || { echo "FAIL: first render"; exit 1; }
T_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "cold render: ${T_ms} ms"
# The outputs as a listener sees them: a SIGKILL may leave temporaries beside
# them (checked separately below), never a changed output.
snapshot() { (cd "$dir" && find . -type f ! \( -name '*.turncast-tmp-*' -o -name '*.turncast-new-*' \) | LC_ALL=C sort | xargs sha256sum); }
snapshot >"$tmp/before.sha"
[ "$(wc -l <"$tmp/before.sha")" -ge 6 ] || { echo "FAIL: first render wrote too few files"; cat "$tmp/before.sha"; exit 1; }

# Version 2 changes words, so a finished render would change every audio file.
sed -i 's/Thank you very much/Many thanks indeed/g' "$tmp/talk.txt"

interrupted=0
edits=0
attempt() {  # attempt SIGNAL DELAY CACHE ("fresh": --no-cache; "shared": the cache all attempts share)
  local sig=$1 delay cache=$3
  delay=$(awk -v f="$2" -v t="$T_ms" 'BEGIN { printf "%.2f", f * t / 1000 }')
  local copt=(--no-cache); [ "$cache" = shared ] && copt=(--cache-dir "$tmp/cache2")
  "$bin" render "$tmp/talk.txt" -o "$out" "${copt[@]}" -j2 --quiet >"$tmp/stdout" 2>"$tmp/stderr" &
  local pid=$!
  # Until main() has installed its handlers the signal's default action
  # applies (exit 143 for SIGTERM): on a loaded machine loading the libraries
  # can take longer than the shortest delays. Wait for the handler first.
  local waited=0
  until [ $(( 0x$(awk '/^SigCgt:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0) >> 14 & 1 )) -eq 1 ]; do
    kill -0 "$pid" 2>/dev/null && [ $waited -lt 500 ] || break
    sleep 0.01; waited=$((waited + 1))
  done
  sleep "$delay"
  kill -s "$sig" "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null; local rc=$?
  if [ "$rc" -eq 0 ]; then
    # Finished before the signal: its outputs become the previous ones, and
    # the transcript changes again so that the next attempt has work to do.
    echo "note: render ($cache cache) finished before SIG$sig at ${delay}s"
    snapshot >"$tmp/before.sha"
    edits=$((edits + 1)); sed -i "s/Ministry/Ministry $edits/" "$tmp/talk.txt"
    return 0
  fi
  interrupted=$((interrupted + 1))
  case $sig in
    INT|TERM)
      [ "$rc" -eq 130 ] || { echo "FAIL: SIG$sig at ${delay}s: exit $rc, want 130"; cat "$tmp/stderr"; fail=1; }
      grep -qi "interrupt" "$tmp/stderr" || { echo "FAIL: SIG$sig at ${delay}s: no 'interrupted' message"; cat "$tmp/stderr"; fail=1; }
      local stray; stray=$(find "$out" "$tmp/cache2" \( -name '*.turncast-tmp-*' -o -name '*.turncast-new-*' \) 2>/dev/null)
      [ -z "$stray" ] || { echo "FAIL: SIG$sig at ${delay}s left temporaries:"; echo "$stray"; fail=1; }
      ;;
    KILL)
      [ "$rc" -eq 137 ] || { echo "FAIL: SIGKILL at ${delay}s: exit $rc, want 137"; fail=1; }
      ;;
  esac
  snapshot >"$tmp/after.sha"
  if ! cmp -s "$tmp/before.sha" "$tmp/after.sha"; then
    # A render can be stopped after it has committed its outputs (while it
    # cleans up): then they must be the whole of a new render, never a mix.
    rm -rf "$tmp/ref"
    "$bin" render "$tmp/talk.txt" -o "$tmp/ref" --no-cache -j2 --quiet >/dev/null
    if [ "$( (cd "$tmp/ref/$slug" && find . -type f | LC_ALL=C sort | xargs sha256sum) )" = "$(cat "$tmp/after.sha")" ]; then
      echo "note: SIG$sig at ${delay}s came after the render committed its outputs"
      cp "$tmp/after.sha" "$tmp/before.sha"
      edits=$((edits + 1)); sed -i "s/Ministry/Ministry $edits/" "$tmp/talk.txt"
    else
      echo "FAIL: SIG$sig at ${delay}s changed the previous outputs:"; diff "$tmp/before.sha" "$tmp/after.sha"; fail=1
    fi
  fi
  return 0
}
# Delays as fractions of T: speaking takes the first ~60 %, encoding the next
# ~30 %, writing (muxing, sidecars) the rest.
# Load from other work makes T vary, so a late signal may come too late: that
# attempt then counts as a finished render, not a failure.
for a in "INT 0.05 fresh" "TERM 0.25 fresh" "INT 0.5 fresh" "KILL 0.6 fresh" "TERM 0.7 fresh" "INT 0.8 fresh" \
         "KILL 0.85 fresh" "INT 0.1 shared" "KILL 0.15 shared" "TERM 0.15 shared"; do
  attempt $a
done
[ "$interrupted" -ge 5 ] || { echo "FAIL: only $interrupted renders were interrupted (machine too fast for the delays?)"; fail=1; }
echo "interrupted renders: $interrupted"

echo "temporaries left by SIGKILL: $(find "$out" "$tmp/cache2" \( -name '*.turncast-tmp-*' -o -name '*.turncast-new-*' \) | wc -l)"
# Whatever the timing did, plant what a SIGKILL leaves: temporaries of a dead
# process (removed by the next render) and of a live one (kept: it may be a
# second render running at once).
true & dead=$!; wait $dead
# The owner tag turncast writes into its temporaries' names: this host and PID namespace.
tag=$(python3 -c '
import os, socket
s = socket.gethostname() + "/" + os.readlink("/proc/self/ns/pid")
h = 2166136261
for c in s.encode(): h = ((h ^ c) * 16777619) & 0xFFFFFFFF
print("%08x" % h)')
for f in "$dir/$slug.turncast-tmp-$tag-$dead-3.opus" "$dir/manifest.turncast-tmp-$tag-$dead-9.json" \
         "$tmp/cache2/speech/x.turncast-tmp-$tag-$dead-1.wav" "$tmp/cache2/pieces/y.turncast-tmp-$tag-$dead-2.opus"; do
  echo junk >"$f"
done
mkdir -p "$out/.$slug.turncast-new-$tag-$dead-7" && echo junk >"$out/.$slug.turncast-new-$tag-$dead-7/$slug.opus"
echo junk >"$dir/$slug.turncast-tmp-$tag-$$-5.m4a"
# Files that only look like temporaries are a user's, as are those of another
# host or PID namespace sharing the volume: never removed.
echo photo >"$dir/holiday.tmp-$dead-1.jpg"
echo other >"$dir/$slug.turncast-tmp-0badf00d-$dead-4.m4a"
# The next render with the shared cache succeeds, cleans up after SIGKILL and
# decodes exactly like a cold render of the same transcript.
"$bin" render "$tmp/talk.txt" -o "$out" --cache-dir "$tmp/cache2" -j2 --quiet >/dev/null 2>"$tmp/stderr" || { echo "FAIL: render after interruptions"; cat "$tmp/stderr"; fail=1; }
[ -e "$dir/$slug.turncast-tmp-$tag-$$-5.m4a" ] || { echo "FAIL: a live process's temporary was removed"; fail=1; }
[ -e "$dir/holiday.tmp-$dead-1.jpg" ] || { echo "FAIL: a user's file was swept"; fail=1; }
[ -e "$dir/$slug.turncast-tmp-0badf00d-$dead-4.m4a" ] || { echo "FAIL: another host's temporary was swept"; fail=1; }
[ ! -e "$out/.$slug.turncast-new-$tag-$dead-7" ] || { echo "FAIL: a dead render's staging folder was left"; fail=1; }
rm -f "$dir/$slug.turncast-tmp-$tag-$$-5.m4a" "$dir/holiday.tmp-$dead-1.jpg" "$dir/$slug.turncast-tmp-0badf00d-$dead-4.m4a"
stray=$(find "$out" "$tmp/cache2" \( -name '*.turncast-tmp-*' -o -name '*.turncast-new-*' \) 2>/dev/null)
[ -z "$stray" ] || { echo "FAIL: temporaries left after the next render:"; echo "$stray"; fail=1; }
"$bin" render "$tmp/talk.txt" -o "$tmp/cold" --no-cache -j2 --quiet >/dev/null || { echo "FAIL: cold render"; fail=1; }
pcm() { ffmpeg -v error -i "$1" -f s16le - | sha256sum; }
for ext in opus m4a; do
  [ "$(pcm "$dir/$slug.$ext")" = "$(pcm "$tmp/cold/$slug/$slug.$ext")" ] || { echo "FAIL: $ext after interruptions decodes differently from a cold render"; fail=1; }
done
cmp -s "$dir/$slug.vtt" "$tmp/cold/$slug/$slug.vtt" || { echo "FAIL: captions differ from a cold render"; fail=1; }
exit $fail
