#!/usr/bin/env bash
# What a producer checks before rendering: `turncast phonemes` (the normaliser,
# lexicon and reading rules through espeak), `plan --unknown-words` (the names
# espeak would guess), and a cast file naming a voice that is not installed,
# refused by plan as by render, with its line and key.
set -euo pipefail
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# One line per TEXT; --raw is espeak's own reading.
out=$("$bin" phonemes 'Putin' '$45 billion' 'the YPG')
[ "$(printf '%s\n' "$out" | wc -l)" -eq 3 ] || { echo "want 3 lines: $out"; exit 1; }
printf '%s\n' "$out" | sed -n 1p | grep -qx "p'u:tIn"
printf '%s\n' "$out" | sed -n 2p | grep -q "b'Ili@n d'0l3z$"
printf '%s\n' "$out" | sed -n 3p | grep -q "w,aIp,i:dZ'i:"
"$bin" phonemes --raw 'Putin' | grep -qx "pj'u:tIn"
# Another voice of the palette, in its own accent: the US voice q1 says "zee".
"$bin" phonemes --voice q1 'the DMZ' | grep -q "z'i:"
"$bin" phonemes 'the DMZ' | grep -q "z'Ed"
if "$bin" phonemes --voice no-such-voice x 2>"$tmp/err"; then echo "unknown voice accepted"; exit 1; fi
grep -q "no voice 'no-such-voice'" "$tmp/err"

# Unknown words: names espeak guesses, most frequent first, with a count, a line
# and the guessed phonemes; names the lexicon knows (Lavrov) are not listed.
"$bin" plan --json --unknown-words "$src/examples/lavrov-volgograd-2021-08-30.txt" | python3 -c '
import json, sys
p = json.load(sys.stdin)
u = p["unknown_words"]
words = [w["word"] for w in u]
assert "Volgograd" in words, words[:20]
assert "Lavrov" not in words and "Putin" not in words, words
assert all(w["count"] >= 1 and w["line"] >= 1 and w["phonemes"] for w in u), u[:3]
counts = [w["count"] for w in u]
assert counts == sorted(counts, reverse=True), counts
for ordinary in ("House", "Forum", "Century"):
    assert ordinary not in words, ordinary
print(len(u), "unknown words; first", words[:5])
'
"$bin" plan --unknown-words "$src/examples/lavrov-volgograd-2021-08-30.txt" | grep -q "Words espeak-ng will guess"
# Without the flag, the JSON has no such key (the schema only grows on request).
"$bin" plan --json "$src/examples/lavrov-volgograd-2021-08-30.txt" | python3 -c '
import json, sys; assert "unknown_words" not in json.load(sys.stdin)'

# A cast file whose voice names an espeak voice that is not installed: plan
# refuses it, naming the file, the line and the key, and exits non-zero.
sed 's/^espeak = "en-gb"/espeak = "xx-nowhere"/' "$src/voices/cast.toml" > "$tmp/cast.toml"
grep -q 'xx-nowhere' "$tmp/cast.toml"
line=$(grep -n 'xx-nowhere' "$tmp/cast.toml" | head -1 | cut -d: -f1)
set +e
"$bin" plan --cast "$tmp/cast.toml" "$src/examples/lavrov-volgograd-2021-08-30.txt" >/dev/null 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -ne 0 ] || { echo "plan accepted a missing espeak voice"; exit 1; }
grep -q "cast.toml" "$tmp/err" && grep -q "key 'espeak'" "$tmp/err" && grep -q "xx-nowhere" "$tmp/err" || { cat "$tmp/err"; exit 1; }
# The line named is the voice's table, at or before the key.
named=$(grep -o 'line [0-9]*' "$tmp/err" | head -1 | cut -d' ' -f2)
[ "$named" -le "$line" ] || { echo "line $named after the key on $line"; exit 1; }
# A variant that does not exist, the same.
sed '0,/^variant = "[^"]*"/s//variant = "nosuchvariant"/' "$src/voices/cast.toml" > "$tmp/cast2.toml"
if "$bin" plan --cast "$tmp/cast2.toml" "$src/examples/lavrov-volgograd-2021-08-30.txt" >/dev/null 2>"$tmp/err"; then
  echo "plan accepted a missing variant"; exit 1
fi
grep -q "key 'variant'" "$tmp/err" || { cat "$tmp/err"; exit 1; }

# The palette for other tools, and a palette voice previewed without a transcript.
"$bin" voices --json | python3 -c '
import json, sys
v = json.load(sys.stdin)
ids = [x["id"] for x in v]
assert "narrator" in ids and "main" in ids and len(ids) > 100, ids[:5]
for x in v:
    assert set(x) >= {"id", "espeak_voice", "variant", "sex", "rate", "pitch", "range", "gain_db", "volume"}, x
    assert x["sex"] in ("female", "male", "any"), x
'
"$bin" -q audition --voice q3 --text "Hello from the third questioner." -o "$tmp/q3.wav" >/dev/null
soxi -r "$tmp/q3.wav" | grep -qx 22050
python3 -c 'import sys; assert float(sys.argv[1]) > 1.0, sys.argv[1]' "$(soxi -D "$tmp/q3.wav")"
if "$bin" audition --voice no-such-voice -o "$tmp/x.wav" 2>/dev/null; then echo "unknown voice accepted"; exit 1; fi
[ ! -e "$tmp/x.wav" ]
echo ok
