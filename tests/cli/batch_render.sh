#!/usr/bin/env bash
# Batches and shards: `turncast render DIR` renders every .txt under the
# folder into the same folders under OUTPUT (same names in different folders
# apart); a bad transcript stops the whole batch before anything is written,
# unless --keep-going, which renders the good ones and names the bad one's
# file and line at the end with a non-zero exit; a re-run skips what is up to
# date and renders only what an interruption left undone; the batch has one
# progress line. --shard K/N for K = 1..N splits the batch into disjoint parts
# whose union is the batch (checked against an independent SHA-256), and
# `turncast feed` over the merged outputs builds one feed of them all.
set -uo pipefail
bin=$1
root=$2
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" -c 'import feedparser' 2>/dev/null || { echo "skip: python3-feedparser is not installed"; exit 77; }
command -v ffprobe >/dev/null || { echo "skip: ffprobe is not installed"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
src=$root/tests/fixtures/render/springfield.txt

# Five different transcripts (three named talk.txt), a hidden folder that is
# no part of the batch, and a transcript with bad bytes on line 3.
in=$tmp/in
mkdir -p "$in/a/b" "$in/c" "$in/.drafts"
cp "$src" "$in/talk.txt"
sed 's/river/lake/' "$src" >"$in/a/talk.txt"
sed 's/Jane Doe/John Roe/g' "$src" >"$in/a/b/talk.txt"
sed 's/War and Peace/Middlemarch/' "$src" >"$in/c/other.txt"
sed 's/brief/short/' "$src" >"$in/c/notes.txt"
cp "$src" "$in/.drafts/draft.txt"
cp "$root/tests/bad-inputs/bad-utf8-line3.txt" "$in/c/broken.txt"
good="a/b/talk a/talk c/notes c/other talk"  # the output folders, sorted

rendered() {  # the folders under $1 holding a render, relative, sorted
  (cd "$1" && find . -name manifest.json -not -path './.cache/*' | sed 's|^\./||; s|/manifest.json$||' | sort | xargs)
}

# Without --keep-going: nothing at all is rendered.
"$bin" render "$in" -o "$tmp/out" --cache-dir "$tmp/cache" >"$tmp/o1" 2>"$tmp/e1"; rc=$?
[ "$rc" -eq 3 ] || { echo "FAIL: a batch with a bad transcript exited $rc, want 3"; cat "$tmp/e1"; fail=1; }
grep -q 'c/broken.txt: line 3' "$tmp/e1" || { echo "FAIL: the error does not name the file and line:"; cat "$tmp/e1"; fail=1; }
[ -z "$(rendered "$tmp/out" 2>/dev/null)" ] || { echo "FAIL: rendered without --keep-going: $(rendered "$tmp/out")"; fail=1; }

# --keep-going: every good one, the bad one named at the end, exit 3.
"$bin" render "$in" -o "$tmp/out" --cache-dir "$tmp/cache" --keep-going >"$tmp/o2" 2>"$tmp/e2"; rc=$?
[ "$rc" -eq 3 ] || { echo "FAIL: --keep-going with a bad transcript exited $rc, want 3"; cat "$tmp/e2"; fail=1; }
[ "$(rendered "$tmp/out")" = "$good" ] || { echo "FAIL: --keep-going rendered '$(rendered "$tmp/out")', want '$good'"; fail=1; }
tail -2 "$tmp/e2" | head -1 | grep -q 'c/broken.txt: line 3, byte' ||
  { echo "FAIL: the bad transcript is not named at the end:"; cat "$tmp/e2"; fail=1; }
grep -q '1 of 6 transcripts could not be rendered' "$tmp/e2" || { echo "FAIL: no count of failures"; cat "$tmp/e2"; fail=1; }
[ "$(grep -c ' spoken, ' "$tmp/o2")" -eq 5 ] || { echo "FAIL: want five summaries:"; cat "$tmp/o2"; fail=1; }
for f in $good; do
  name=${f##*/}
  codec=$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name -of csv=p=0 "$tmp/out/$f/$name.opus")
  [ "$codec" = opus ] || { echo "FAIL: $f/$name.opus is not Opus ($codec)"; fail=1; }
done
# The three talk.txt are three renders of three texts, each of its own source.
"$py" - "$tmp/out" <<'PY' || fail=1
import json, os, sys
out = sys.argv[1]
m = {f: json.load(open(os.path.join(out, f, "talk", "manifest.json"))) for f in ("", "a", "a/b")}
ids = {f: x["source_id"] for f, x in m.items()}
guids = {f: x["guid"] for f, x in m.items()}
if len(set(ids.values())) != 3: print("FAIL: source ids collide: %s" % ids); sys.exit(1)
if len(set(guids.values())) != 3: print("FAIL: episode GUIDs collide: %s" % guids); sys.exit(1)
words = [open(os.path.join(out, f, "talk", "talk.vtt")).read() for f in ("a", "a/b")]
if "lake" not in words[0] or "John Roe" not in words[1]: print("FAIL: a render holds another transcript's text"); sys.exit(1)
PY

# A re-run skips everything; after an interruption (a render's folder gone)
# only what is missing is rendered.
"$bin" render "$in" -o "$tmp/out" --cache-dir "$tmp/cache" -k >"$tmp/o3" 2>"$tmp/e3"
[ "$(grep -c 'already up to date' "$tmp/o3")" -eq 5 ] || { echo "FAIL: a re-run did not skip all five:"; cat "$tmp/o3"; fail=1; }
rm -rf "$tmp/out/c/other"
rm "$in/c/broken.txt"
"$bin" render "$in" -o "$tmp/out" --cache-dir "$tmp/cache" >"$tmp/o4" 2>"$tmp/e4" ||
  { echo "FAIL: the resumed batch exited $?"; cat "$tmp/e4"; fail=1; }
[ "$(grep -c 'already up to date' "$tmp/o4")" -eq 4 ] && grep -q '^.*/c/other: .*encoded$' "$tmp/o4" ||
  { echo "FAIL: the resumed batch did not render just c/other:"; cat "$tmp/o4"; fail=1; }

# One progress line for the batch on a terminal: transcripts done of the
# total, the audio rendered and the time left.
if command -v script >/dev/null; then
  rm -rf "$tmp/out/a" "$tmp/out/c"
  script -qec "$(printf '%q ' "$bin" render "$in" -o "$tmp/out" --cache-dir "$tmp/cache")" /dev/null \
    >"$tmp/tty.raw" </dev/null
  tr '\r' '\n' <"$tmp/tty.raw" | sed 's/\x1b\[K//g' >"$tmp/tty.txt"
  grep -Eq '^[0-4]/5 transcripts, [0-9]+:[0-9]{2} audio(, ~[0-9:]+ left)?(  (speaking|encoding|writing) |$)' "$tmp/tty.txt" ||
    { echo "FAIL: no batch progress line:"; cat "$tmp/tty.txt"; fail=1; }
  grep -Eq '^[1-4]/5 transcripts, [0-9]+:[0-9]{2} audio, ~[0-9:]+ left' "$tmp/tty.txt" ||
    { echo "FAIL: the batch line never showed the time left:"; cat "$tmp/tty.txt"; fail=1; }
fi

# Shards: K/N validated.
for bad in 0/3 4/3 3 x/3 3/0 /3; do
  "$bin" render "$in" -o "$tmp/bad" --shard "$bad" >/dev/null 2>"$tmp/es"; rc=$?
  [ "$rc" -eq 2 ] && grep -q -- "--shard $bad" "$tmp/es" ||
    { echo "FAIL: --shard $bad exited $rc:"; cat "$tmp/es"; fail=1; }
done
# 1/3, 2/3, 3/3: disjoint, their union the batch, each as an independent
# SHA-256 of the relative path assigns it.
union=""
for k in 1 2 3; do
  "$bin" render "$in" -o "$tmp/shard$k" --cache-dir "$tmp/cache" --shard "$k/3" >"$tmp/os$k" 2>"$tmp/es$k" ||
    { echo "FAIL: shard $k/3 exited $?"; cat "$tmp/es$k"; fail=1; }
  got=$(rendered "$tmp/shard$k")
  want=$("$py" - "$k" $good <<'PY'
import hashlib, sys
k = int(sys.argv[1])
print(" ".join(f for f in sys.argv[2:]
               if int.from_bytes(hashlib.sha256((f + ".txt").encode()).digest()[:8], "big") % 3 == k - 1))
PY
)
  [ "$got" = "$want" ] || { echo "FAIL: shard $k/3 rendered '$got', want '$want'"; fail=1; }
  union="$union $got"
done
[ "$(echo $union | tr ' ' '\n' | sort | xargs)" = "$good" ] || { echo "FAIL: the shards' union is '$union'"; fail=1; }
[ "$(echo $union | tr ' ' '\n' | sort | uniq -d | xargs)" = "" ] || { echo "FAIL: shards overlap: $union"; fail=1; }

# The merged outputs make one feed with every transcript.
mkdir -p "$tmp/merged"
for k in 1 2 3; do cp -r "$tmp/shard$k/." "$tmp/merged/"; done
"$bin" feed "$tmp/merged" --base-url https://example.org/archive >"$tmp/feed.out" 2>&1 ||
  { echo "FAIL: feed exited $?"; cat "$tmp/feed.out"; fail=1; }
"$py" - "$tmp/merged" <<'PY' || fail=1
import feedparser, os, sys
out = sys.argv[1]
d = feedparser.parse(os.path.join(out, "feed.xml"))
if d.bozo: print("FAIL: feed not well-formed: %s" % d.bozo_exception); sys.exit(1)
hrefs = sorted(e.enclosures[0].href for e in d.entries)
want = sorted("https://example.org/archive/%s/%s.m4a" % (f, f.split("/")[-1])
              for f in ("a/b/talk", "a/talk", "c/notes", "c/other", "talk"))
if hrefs != want: print("FAIL: feed enclosures %s, want %s" % (hrefs, want)); sys.exit(1)
for e in d.entries:
    path = os.path.join(out, e.enclosures[0].href.split("/archive/", 1)[1])
    if int(e.enclosures[0].length) != os.path.getsize(path): print("FAIL: %s length" % path); sys.exit(1)
PY

[ $fail -eq 0 ] && echo "batch render: OK"
exit $fail
