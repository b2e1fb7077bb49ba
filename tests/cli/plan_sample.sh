#!/usr/bin/env bash
# `turncast plan --json` on the sample: the people, their voices, the chapters.
set -euo pipefail
bin=$1; src=$2
"$bin" plan --json "$src/examples/lavrov-volgograd-2021-08-30.txt" | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["date"] == "2021-08-30" and p["time"] == "19:47" and p["place"] == "Volgograd", p
names = {s["name"] for s in p["speakers"]}
roles = {s["role"] for s in p["speakers"]}
assert "Sergey Lavrov" in names, names
assert "narrator" in roles and "questioner" in roles, roles
assert len([s for s in p["speakers"] if s["role"] == "questioner"]) == 6, p["speakers"]
voice = {s["id"]: s["voice"] for s in p["speakers"]}
turns = p["turns"]
for a, b in zip(turns, turns[1:]):
    if a["speaker"] != b["speaker"]:
        assert voice[a["speaker"]] != voice[b["speaker"]], (a["speaker"], b["speaker"])
assert len(p["chapters"]) == 8, [c["title"] for c in p["chapters"]]
for t in turns:
    assert t["text"] and t["words"] > 0
    for junk in ("Additional materials", "Advanced settings", "en-GB1", "Sergey Lavrov:", "Question:"):
        assert junk not in t["text"], (junk, t["text"][:80])
follow = [t for t in turns if "about to start 9th year" in t["text"][:30]]
assert follow and follow[0]["kind"] == "follow-up", follow
print(len(turns), "turns,", len(p["chapters"]), "chapters")
'
"$bin" plan "$src/examples/lavrov-volgograd-2021-08-30.txt" | grep -q "Question 6:"
# The Kremlin news conference labels its speakers without titles; the text
# calls them "Mr Putin", "Mr Rouhani", "Mr Erdogan": all three are male, and
# each speaks in a voice the palette (turncast voices) says is male.
palette=$("$bin" voices)
"$bin" plan --json "$src/tests/fixtures/transcripts/corpus/kremlin-ankara-news-conference-2018-04-04.txt" |
python3 -c '
import json, sys
p = json.load(sys.stdin)
rows = [line.split() for line in sys.argv[1].splitlines()[2:]]
voice_sex = {r[0]: r[2] for r in rows if len(r) > 2}
for s in p["speakers"]:
    if s["name"] in ("Vladimir Putin", "Hassan Rouhani", "Recep Tayyip Erdogan"):
        assert s["sex"] == "male" and voice_sex[s["voice"]] == "male", (s, voice_sex)
    if s["role"] == "narrator":
        assert s["sex"] is None, s
print("kremlin:", {s["name"]: (s["sex"], s["voice"]) for s in p["speakers"] if s["sex"]})
' "$palette"
