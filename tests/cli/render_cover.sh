#!/usr/bin/env bash
# Every render has artwork. Without --cover, turncast draws a title card:
# cover.png beside the audio is a 3000 x 3000 RGB PNG with text on it, the
# manifest and the feed name it, the .m4a carries it as an attached picture and the .opus
# as a METADATA_BLOCK_PICTURE comment (both the 1400 px drawing of the same
# card); two renders draw the same bytes, a corrected title redraws it. With
# --cover the given image is used as it is; --no-cover renders without any.
# Read back with ffprobe/ffmpeg and with Python parsing the PNG and Ogg bytes.
set -uo pipefail
bin=$1
root=$2
py=/usr/bin/python3; [ -x "$py" ] || py=python3
command -v ffprobe >/dev/null && command -v ffmpeg >/dev/null || { echo "skip: ffmpeg/ffprobe are not installed"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0

cp "$root/tests/fixtures/render/springfield.txt" "$tmp/springfield.txt"
render() {  # render OUT [ARGS...]
  local out=$1; shift
  "$bin" render "$tmp/springfield.txt" -o "$out" --cache-dir "$tmp/cache" "$@" >"$tmp/stdout" 2>"$tmp/stderr" ||
    { echo "FAIL: render $* exited $?"; cat "$tmp/stderr"; exit 1; }
}

# check_artwork DIR WANT_COVER_FILE WANT_EMBEDDED_FILE (or "card" for a drawn card, "none" for no artwork)
check_artwork() {
  "$py" - "$@" <<'PY' || fail=1
import base64, json, os, struct, subprocess, sys, tempfile
folder, want_cover, want_embedded = sys.argv[1], sys.argv[2], sys.argv[3]
bad = []

def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR": return None
    w, h, depth, colour = struct.unpack(">IIBB", data[16:26])
    return w, h, depth, colour

def ogg_packets(path):  # the packets of the file's one logical stream, pages joined
    data, pos, packets, current = open(path, "rb").read(), 0, [], b""
    while pos < len(data):
        if data[pos:pos + 4] != b"OggS": raise ValueError("lost Ogg sync at %d" % pos)
        nseg = data[pos + 26]
        lacing = data[pos + 27:pos + 27 + nseg]
        body = pos + 27 + nseg
        for l in lacing:
            current += data[body:body + l]; body += l
            if l < 255: packets.append(current); current = b""
        pos = body
    return packets

def opus_picture(path):  # the FLAC picture block of the OpusTags comment, or None
    tags = ogg_packets(path)[1]
    if tags[:8] != b"OpusTags": raise ValueError("second packet is not OpusTags")
    vendor = struct.unpack("<I", tags[8:12])[0]
    pos = 12 + vendor
    count = struct.unpack("<I", tags[pos:pos + 4])[0]; pos += 4
    for _ in range(count):
        n = struct.unpack("<I", tags[pos:pos + 4])[0]
        key, _, value = tags[pos + 4:pos + 4 + n].partition(b"=")
        pos += 4 + n
        if key.upper() == b"METADATA_BLOCK_PICTURE":
            block = base64.b64decode(value)
            kind, mlen = struct.unpack(">II", block[:8])
            mime = block[8:8 + mlen]
            p = 8 + mlen
            dlen = struct.unpack(">I", block[p:p + 4])[0]; p += 4 + dlen
            w, h, depth, colours, size = struct.unpack(">IIIII", block[p:p + 20])
            return {"type": kind, "mime": mime.decode(), "width": w, "height": h, "data": block[p + 20:p + 20 + size]}
    return None

def attached_pictures(path):  # (codec, width, height) of each attached picture ffprobe sees
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "stream=codec_name,width,height:stream_disposition=attached_pic", "-of", "json", path],
                         capture_output=True, text=True, check=True).stdout
    return [(s["codec_name"], s.get("width"), s.get("height")) for s in json.loads(out)["streams"]
            if s.get("disposition", {}).get("attached_pic") == 1]

def m4a_picture(path):  # the attached picture's bytes, copied out by ffmpeg (b"" for none)
    with tempfile.NamedTemporaryFile(suffix=".bin") as out:
        r = subprocess.run(["ffmpeg", "-v", "quiet", "-y", "-i", path, "-map", "0:v", "-c", "copy", "-f", "image2",
                            out.name])
        return open(out.name, "rb").read() if r.returncode == 0 else b""

m = json.load(open(os.path.join(folder, "manifest.json")))
opus, m4a = os.path.join(folder, "springfield.opus"), os.path.join(folder, "springfield.m4a")
covers = [f for f in ("cover.png", "cover.jpg") if os.path.exists(os.path.join(folder, f))]
# The page shows the artwork and names it for link previews (Open Graph).
import html.parser
class Page(html.parser.HTMLParser):
    imgs, og = [], {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img": self.imgs.append(a)
        if tag == "meta" and a.get("property", "").startswith("og:"): self.og[a["property"]] = a.get("content")
page = Page()
page.feed(open(os.path.join(folder, "index.html"), encoding="utf-8").read())
if want_cover == "none":
    if page.imgs or "og:image" in page.og: bad.append("--no-cover: the page shows an image")
else:
    want_name = "cover.png" if want_cover == "card" or want_cover.endswith(".png") else "cover.jpg"
    if [i.get("src") for i in page.imgs] != [want_name]: bad.append("page images %s, want [%s]" % (page.imgs, want_name))
    elif not page.imgs[0].get("alt"): bad.append("the page's cover has no alt text")
    if page.og.get("og:image") != want_name: bad.append("og:image %r, want %s" % (page.og.get("og:image"), want_name))
if want_cover == "none":
    if covers: bad.append("--no-cover wrote %s" % covers)
    if m.get("cover") is not None or "cover" in m["files"]: bad.append("--no-cover: manifest names a cover")
    for f in (opus, m4a):
        if attached_pictures(f): bad.append("%s carries a picture" % os.path.basename(f))
    if opus_picture(opus): bad.append("the .opus has METADATA_BLOCK_PICTURE")
else:
    name = "cover.png" if want_cover == "card" or want_cover.endswith(".png") else "cover.jpg"
    path = os.path.join(folder, name)
    if covers != [name]: bad.append("covers written %s, want [%s]" % (covers, name))
    if m.get("cover") != name: bad.append("manifest cover %r, want %s" % (m.get("cover"), name))
    if m["files"].get("cover", {}).get("name") != name: bad.append("manifest files lack the cover")
    elif m["files"]["cover"]["bytes"] != os.path.getsize(path): bad.append("manifest cover size is not the file's")
    cover = open(path, "rb").read() if os.path.exists(path) else b""
    embedded_opus = opus_picture(opus)
    if not embedded_opus: bad.append("the .opus has no METADATA_BLOCK_PICTURE")
    embedded_m4a = m4a_picture(m4a)
    pics = attached_pictures(m4a) + attached_pictures(opus)
    if len(pics) != 2: bad.append("attached pictures %r, want one in each file" % pics)
    if want_cover == "card":
        if png_size(cover) != (3000, 3000, 8, 2): bad.append("cover.png is %r, want 3000x3000 8-bit RGB" % (png_size(cover),))
        if len(cover) > 512 * 1024: bad.append("cover.png is %d bytes, over 512 KB" % len(cover))
        # Not blank: decoded to grey by ffmpeg, a share of the pixels differ from the corner's.
        grey = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                              capture_output=True, check=True).stdout
        if len(grey) != 3000 * 3000: bad.append("decoded %d grey pixels" % len(grey))
        ink = 1 - grey.count(grey[:1]) / max(1, len(grey))
        if not 0.02 < ink < 0.5: bad.append("%.3f of the card differs from its background" % ink)
        if any(p != ("png", 1400, 1400) for p in pics): bad.append("embedded pictures %r, want 1400 px PNGs" % pics)
        if embedded_opus and (embedded_opus["type"] != 3 or embedded_opus["mime"] != "image/png" or
                              (embedded_opus["width"], embedded_opus["height"]) != (1400, 1400) or
                              png_size(embedded_opus["data"]) != (1400, 1400, 8, 2)):
            bad.append("the .opus picture block: %r" % {k: v for k, v in embedded_opus.items() if k != "data"})
        if embedded_opus and embedded_opus["data"] != embedded_m4a: bad.append("the two files carry different pictures")
    else:
        given = open(want_cover, "rb").read()
        if cover != given: bad.append("%s is not the --cover image" % name)
        if embedded_m4a != given: bad.append("the .m4a does not carry the --cover image as it is")
        if embedded_opus and embedded_opus["data"] != given: bad.append("the .opus does not carry the --cover image")
for b in bad: print("FAIL [%s]: %s" % (os.path.basename(os.path.dirname(folder)), b))
sys.exit(1 if bad else 0)
PY
}

# 1. The title card, by default.
render "$tmp/a"
check_artwork "$tmp/a/springfield" card none

# The feed names the card as the episode's and the show's artwork.
"$bin" feed "$tmp/a" --base-url https://example.org/talks >"$tmp/feed.out" 2>&1 ||
  { echo "FAIL: feed exited $?"; cat "$tmp/feed.out"; fail=1; }
"$py" - "$tmp/a/feed.xml" <<'PY' || fail=1
import sys, xml.etree.ElementTree as ET
ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
channel = ET.parse(sys.argv[1]).getroot().find("channel")
want = "https://example.org/talks/springfield/cover.png"
images = [e.get("href") for e in channel.findall("itunes:image", ns) + channel.findall("item/itunes:image", ns)]
if images != [want, want]: print("FAIL: feed artwork %r, want the card for the show and the episode" % images); sys.exit(1)
PY

# 2. The same plan draws the same bytes, in another folder.
render "$tmp/b"
cmp -s "$tmp/a/springfield/cover.png" "$tmp/b/springfield/cover.png" ||
  { echo "FAIL: two renders drew different cards"; fail=1; }
cmp -s "$tmp/a/springfield/springfield.opus" "$tmp/b/springfield/springfield.opus" ||
  { echo "FAIL: two renders wrote different .opus files"; fail=1; }

# 3. A corrected title redraws the card: the folder is rendered again.
cp "$tmp/a/springfield/cover.png" "$tmp/before.png"
sed -i '3s/with students/with teachers/' "$tmp/springfield.txt"
render "$tmp/a"
grep -q "already up to date" "$tmp/stdout" && { echo "FAIL: a title fix left the render as it was"; fail=1; }
cmp -s "$tmp/before.png" "$tmp/a/springfield/cover.png" && { echo "FAIL: a title fix kept the old card"; fail=1; }
check_artwork "$tmp/a/springfield" card none

# 4. --cover wins over the card: the image is used as given, as JPEG and as PNG.
ffmpeg -v error -f lavfi -i testsrc=s=1400x1400 -frames:v 1 "$tmp/given.jpg" &&
  ffmpeg -v error -f lavfi -i color=c=navy:s=1400x1400 -frames:v 1 "$tmp/given.png" ||
  { echo "skip: ffmpeg cannot draw a test image"; exit 77; }
render "$tmp/c" --cover "$tmp/given.jpg"
check_artwork "$tmp/c/springfield" "$tmp/given.jpg" given
render "$tmp/c" --cover "$tmp/given.png"
check_artwork "$tmp/c/springfield" "$tmp/given.png" given

# 5. --no-cover: no artwork anywhere; with --cover it is a usage error.
render "$tmp/d" --no-cover
check_artwork "$tmp/d/springfield" none none
"$bin" render "$tmp/springfield.txt" -o "$tmp/e" --no-cover --cover "$tmp/given.png" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: --no-cover with --cover exited $rc, want 2"; cat "$tmp/err"; fail=1; }
[ ! -e "$tmp/e" ] || { echo "FAIL: a refused command wrote $tmp/e"; fail=1; }

# 6. A title with characters no font has: the card is drawn, and the user told.
sed -i '3s/^/Talk \xcd\xb8 /' "$tmp/springfield.txt"
render "$tmp/f"
grep -q "warning: the title card shows 1 character as boxes" "$tmp/stderr" ||
  { echo "FAIL: no warning of a character the card cannot show:"; cat "$tmp/stderr"; fail=1; }
check_artwork "$tmp/f/springfield" card none

[ "$fail" -eq 0 ] && echo "title card, --cover and --no-cover: ok"
exit "$fail"
