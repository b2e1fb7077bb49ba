#!/usr/bin/env python3
"""Drives turncast's web player (index.html) in headless Chromium.

  player_test.py DIR [EXPECTED.json] [--cover NAME] [--axe AXE.JS [--only-axe]]

DIR holds index.html, the audio and the captions; EXPECTED.json says where the
chapters and sentences are: {"title", "total": s, "chapters": [{"start",
"title"}], "sentences": [{"id", "start", "end"}]}. Without it, they are read
from a render's own manifest.json, transcript.json and chapters.json in DIR.
The folder is served on 127.0.0.1 (a random port, with HTTP range requests as
real servers do) and checked for: the audio loads, a chapter link seeks to its
chapter, the highlight follows playback, the keyboard shortcuts, focus
visibility, the landmarks and labels a screen reader announces; at 1280x800
and at 320x256 CSS px (400% zoom): the transcript is not hidden by the player
at any scroll position, focus and the skip link's target are never covered by
it; every sentence plays from the keyboard; the description, Open Graph tags
and the cover (--cover: the file the page must show; without it, none). With
--axe, axe-core (that file) must find no violations at both sizes, in light and
dark colours (--only-axe: nothing else).

Exit status: 0 all good, 1 a check failed, 77 Chromium cannot start here
(the caller reports the test as skipped).
"""
import argparse
import functools
import http.server
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time

SKIP = 77
failures = []


def check(what, ok, detail=""):
    if not ok:
        failures.append(f"{what}{': ' + str(detail) if detail else ''}")
        print(f"FAIL {what} {detail}", flush=True)


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler plus single-range requests (media seeking)."""

    extensions_map = dict(http.server.SimpleHTTPRequestHandler.extensions_map,
                          **{".opus": "audio/ogg", ".m4a": "audio/mp4", ".vtt": "text/vtt"})

    def log_message(self, *args):
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        m = re.match(r"bytes=(\d*)-(\d*)$", self.headers.get("Range", ""))
        if not m or os.path.isdir(path) or not os.path.exists(path):
            return super().send_head()
        size = os.path.getsize(path)
        first = int(m.group(1)) if m.group(1) else max(0, size - int(m.group(2) or 0))
        last = int(m.group(2)) if m.group(1) and m.group(2) else size - 1
        last = min(last, size - 1)
        if first >= size or first > last:
            self.send_error(416)
            return None
        f = open(path, "rb")
        f.seek(first)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(last - first + 1))
        self.end_headers()
        self._remaining = last - first + 1
        return f

    def copyfile(self, source, outputfile):
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            return super().copyfile(source, outputfile)
        while remaining > 0:
            chunk = source.read(min(65536, remaining))
            if not chunk:
                break
            try:
                outputfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return  # the browser stopped reading (a new page, a seek): as any server, carry on
            remaining -= len(chunk)

    def end_headers(self):
        if not self.headers.get("Range"):
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()


def start_browser(profile):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        print(f"SKIP: python3-selenium is not installed ({e})")
        sys.exit(SKIP)
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--mute-audio", "--autoplay-policy=no-user-gesture-required",
              f"--user-data-dir={profile}", "--window-size=1000,800"):
        opts.add_argument(a)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not chromium or not os.path.exists(driver_path):
        print("SKIP: chromium or chromium-driver is not installed (scripts/setup installs both)")
        sys.exit(SKIP)
    opts.binary_location = chromium
    try:
        return webdriver.Chrome(service=Service(driver_path), options=opts)
    except Exception as e:  # noqa: BLE001 - any failure to start means "cannot run here"
        print(f"SKIP: chromium cannot start: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
        sys.exit(SKIP)


def wait_for(driver, script, timeout=10.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    check(f"timed out waiting for {what}", False)
    return None


def expected_from_render(folder):
    """The chapters and sentences as the render's own JSON files give them."""
    def load(name):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            return json.load(f)
    manifest = load("manifest.json")
    files = manifest["files"]
    transcript = load(files["transcript"]["name"])["segments"]
    chapters = load(files["chapters"]["name"])["chapters"]
    return {"title": manifest["title"], "total": manifest["duration"],
            "chapters": [{"start": c["startTime"], "title": c["title"]} for c in chapters],
            "sentences": [{"id": f"s{k + 1}", "start": s["startTime"], "end": s["endTime"]}
                          for k, s in enumerate(transcript)]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("expected", nargs="?")
    ap.add_argument("--cover", default="")
    ap.add_argument("--axe")
    ap.add_argument("--only-axe", action="store_true")
    args = ap.parse_args()
    folder = args.folder
    if args.expected:
        with open(args.expected, encoding="utf-8") as f:
            want = json.load(f)
    else:
        want = expected_from_render(folder)

    handler = functools.partial(RangeHandler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    profile = tempfile.mkdtemp(prefix="turncast-chromium-")
    driver = start_browser(profile)
    driver.set_page_load_timeout(20)
    driver.set_script_timeout(20)
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    try:
        if not args.only_axe:
            run(driver, url, want)
            for size in ((1280, 800), (320, 256)):
                layout(driver, url, want, size)
            keyboard_sentences(driver, url, want)
            head_and_cover(driver, url, want, folder, args.cover)
            run_from_file(driver, "file://" + os.path.abspath(os.path.join(folder, "index.html")), want)
        if args.axe:
            with open(args.axe, encoding="utf-8") as f:
                axe(driver, url, want, f.read())
    finally:
        driver.quit()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("player ok")
    return 0


def run(driver, url, want):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(url)
    js = driver.execute_script

    # --- Landmarks and labels -------------------------------------------
    check("html lang", bool(js("return document.documentElement.lang")))
    check("one h1", js("return document.querySelectorAll('h1').length") == 1)
    check("title", js("return document.title") == want["title"], js("return document.title"))
    check("main landmark", js("return document.querySelectorAll('main').length") == 1)
    check("chapters nav", js("return document.querySelectorAll('nav[aria-label=\"Chapters\"]').length") == 1)
    check("live region", js("var e=document.querySelector('[aria-live]');"
                            "return !!e && e.getAttribute('role')==='status'"))
    check("audio labelled", bool(js("return document.getElementById('audio').getAttribute('aria-label')")))
    check("audio controls and preload", js("var a=document.getElementById('audio');"
                                           "return a.controls && a.getAttribute('preload')==='metadata'"))
    check("captions track", js("var t=document.querySelector('audio track');"
                               "return !!t && t.kind==='captions' && t.default"))
    check("no external resources",
          js("return Array.from(document.querySelectorAll('[src],link[href]'))"
             ".every(function(e){var u=e.getAttribute('src')||e.getAttribute('href');"
             "return !/^[a-z]+:|^\\/\\//i.test(u)})"))
    links = driver.find_elements(By.CSS_SELECTOR, "nav[aria-label='Chapters'] a")
    check("chapter links", len(links) == len(want["chapters"]), len(links))
    ids = js("return Array.from(document.querySelectorAll('#transcript [data-start]')).map(e=>e.id)")
    check("sentences", ids == [s["id"] for s in want["sentences"]], ids)

    # --- The audio loads --------------------------------------------------
    ready = wait_for(driver, "var a=document.getElementById('audio');"
                             "return a.readyState>=1 && isFinite(a.duration) ? a.duration : 0",
                     timeout=15, what="audio metadata")
    if ready:
        check("audio duration", abs(ready - want["total"]) < 0.25, f"{ready} vs {want['total']}")
    check("audio source", js("return document.getElementById('audio').currentSrc")
          .endswith((".m4a", ".opus")), js("return document.getElementById('audio').currentSrc"))
    if js("return document.getElementById('audio').error"):
        check("audio error", False, js("return document.getElementById('audio').error.code"))
        return

    def state():
        return js("var a=document.getElementById('audio');"
                  "var c=document.querySelector('#transcript [aria-current]');"
                  "var n=document.querySelector('nav a[aria-current]');"
                  "return {t:a.currentTime, paused:a.paused, sentence:c?c.id:null,"
                  " chapter:n?n.getAttribute('data-title'):null,"
                  " live:document.getElementById('now').textContent}")

    def sentence_at(t):
        for s in want["sentences"]:
            if s["start"] <= t + 0.0005 < s["end"]:
                return s["id"]
        return None

    # --- A chapter link seeks to its chapter ------------------------------
    for k in (len(want["chapters"]) - 1, 0):
        ch = want["chapters"][k]
        links[k].click()
        wait_for(driver, f"return Math.abs(document.getElementById('audio').currentTime-{ch['start']})<0.05",
                 what=f"seek to chapter {k + 1}")
        s = state()
        check(f"chapter {k + 1} link seeks", abs(s["t"] - ch["start"]) < 0.05, s)
        check(f"chapter {k + 1} marked current", s["chapter"] == ch["title"], s)
        check(f"chapter {k + 1} announced", ch["title"] in s["live"], s)
        check(f"chapter {k + 1}: highlight matches the time", s["sentence"] == sentence_at(s["t"]), s)

    # --- The highlight follows playback ----------------------------------
    first, second = want["sentences"][1], want["sentences"][2]
    js(f"var a=document.getElementById('audio'); a.currentTime={first['start'] + 0.05}; a.play();")
    wait_for(driver, "return !document.getElementById('audio').paused", what="playback to start")
    wait_for(driver, f"return document.getElementById('audio').currentTime>{first['start'] + 0.3}",
             what="playback to advance")
    s1 = state()
    check("highlight on the playing sentence", s1["sentence"] == sentence_at(s1["t"]) == first["id"], s1)
    wait_for(driver, f"return document.getElementById('audio').currentTime>{second['start'] + 0.3}",
             timeout=(second["start"] - first["start"]) + 5, what="playback into the next sentence")
    s2 = state()
    check("highlight moves on with playback", s2["sentence"] == sentence_at(s2["t"]) == second["id"], s2)
    js("document.getElementById('audio').pause()")

    # --- Keyboard operation -----------------------------------------------
    js("document.activeElement && document.activeElement.blur(); window.scrollTo(0,0);")
    keys = ActionChains(driver)

    def press(key, settle=0.15):
        keys.send_keys(key).perform()
        time.sleep(settle)

    js("document.getElementById('audio').currentTime=12")
    wait_for(driver, "return Math.abs(document.getElementById('audio').currentTime-12)<0.01", what="seek to 12 s")
    press("k")
    check("k plays", not state()["paused"])
    press("k")
    check("k pauses", state()["paused"])
    press(" ")
    check("space plays", not state()["paused"])
    press(" ")
    check("space pauses", state()["paused"])
    t0 = state()["t"]
    press("j")
    check("j goes back 10 s", abs(state()["t"] - (t0 - 10)) < 0.05, (t0, state()))
    press("l")
    check("l goes forward 10 s", abs(state()["t"] - t0) < 0.05, (t0, state()))
    press(Keys.ARROW_LEFT)
    check("left arrow goes back 10 s", abs(state()["t"] - (t0 - 10)) < 0.05, (t0, state()))
    press(Keys.ARROW_RIGHT)
    check("right arrow goes forward 10 s", abs(state()["t"] - t0) < 0.05, (t0, state()))
    js("document.getElementById('audio').currentTime=0.5")
    wait_for(driver, "return Math.abs(document.getElementById('audio').currentTime-0.5)<0.01", what="seek")
    press("n")
    check("n goes to the next chapter", abs(state()["t"] - want["chapters"][1]["start"]) < 0.05, state())
    press("p")
    check("p goes to the previous chapter", abs(state()["t"] - want["chapters"][0]["start"]) < 0.05, state())

    # --- Visible focus: tab to a chapter link -----------------------------
    # (past the skip link, the native audio controls' own stops, the checkbox)
    js("document.activeElement && document.activeElement.blur()")
    for _ in range(40):
        press(Keys.TAB, 0.03)
        if js("return !!document.activeElement.closest('nav[aria-label=\"Chapters\"]')"):
            break
    focused = js("var e=document.activeElement, s=getComputedStyle(e);"
                 "return {tag:e.tagName, style:s.outlineStyle, width:parseFloat(s.outlineWidth)}")
    check("tab reaches the chapter list", focused["tag"] == "A", focused)
    check("focus is visible", focused["style"] != "none" and focused["width"] >= 2, focused)


def set_viewport(driver, width, height, dark=False):
    """The page as a window of width x height CSS px shows it (400% zoom of
    1280x1024 is 320x256), in light or dark colours."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})
    wait_for(driver, f"return window.innerWidth=={width} && window.innerHeight=={height}",
             what=f"a {width}x{height} viewport")
    time.sleep(0.1)  # the page's resize handlers


# Whether the sticky player covers the focused element, and where that is.
FOCUS_STATE = """
var e=document.activeElement, r=e.getBoundingClientRect(), line=e.getClientRects()[0]||r;
var p=document.getElementById('player'), pr=p.getBoundingClientRect();
var sticky=getComputedStyle(p).position==='sticky';
var overlap=sticky && !p.contains(e) ? Math.max(0, Math.min(r.bottom,pr.bottom)-Math.max(r.top,pr.top)) : 0;
var hit=document.elementFromPoint(line.left+Math.min(4,line.width/2), (line.top+line.bottom)/2);
return {id:e.id, tag:e.tagName, text:(e.textContent||'').slice(0,40), top:r.top, bottom:r.bottom,
        player_bottom:sticky?pr.bottom:null, overlap:overlap,
        shown:r.top>=-1 && r.bottom<=innerHeight+1 && !!hit && (hit===e || e.contains(hit))};
"""

# At each scroll position a quarter of the window apart: how much of the
# window the transcript spans, and how much of it shows (nothing on top).
REFLOW_PROBE = """
var t=document.getElementById('transcript'), H=innerHeight;
var max=document.documentElement.scrollHeight-H, step=Math.max(1,Math.floor(H/4)), out=[];
for (var y=0;;y+=step) {
  if (y>max) y=max;
  window.scrollTo(0,y);
  var r=t.getBoundingClientRect(), rows=0, span=0, shown=0;
  for (var py=1; py<H; py+=6) {
    rows++;
    if (py<r.top || py>=r.bottom) continue;
    span++;
    var hit=document.elementFromPoint(r.left+Math.min(24,r.width/2), py);
    if (hit && t.contains(hit)) shown++;
  }
  out.push({y:y, span:span/rows, shown:shown/rows});
  if (y>=max) break;
}
window.scrollTo(0,0);
return out;
"""


def layout(driver, url, want, size):
    """Reflow (WCAG 1.4.10) and focus not obscured (2.4.11) at one size."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    width, height = size
    label = f"{width}x{height}"
    driver.get(url)
    set_viewport(driver, width, height)
    js = driver.execute_script
    keys = ActionChains(driver)

    def press(key):
        keys.send_keys(key).perform()
        time.sleep(0.15)

    player = js("var p=document.getElementById('player');"
                "return {h:p.getBoundingClientRect().height, position:getComputedStyle(p).position}")
    # On a desktop the controls stay at hand; where they would take more than
    # a third of the window they scroll away with the page.
    if player["h"] <= height / 3:
        check(f"{label}: the player stays at the top", player["position"] == "sticky", player)
        js("window.scrollTo(0, document.documentElement.scrollHeight)")
        check(f"{label}: the controls in view at the end of the page",
              js("var r=document.getElementById('audio').getBoundingClientRect();"
                 "return r.top>=0 && r.bottom<=innerHeight"))
    else:
        check(f"{label}: a player taller than a third of the window scrolls away",
              player["position"] != "sticky", player)
    if width >= 1000:
        check(f"{label}: the player fits a third of a desktop window", player["h"] <= height / 3, player)

    probe = js(REFLOW_PROBE)
    reached = [p for p in probe if p["span"] >= 0.1]
    hidden = [p for p in reached if p["shown"] == 0]
    covered = [p for p in probe if p["span"] >= 0.9 and p["shown"] < 0.6]
    print(f"{label}: transcript shows at {len(reached) - len(hidden)} of the {len(reached)} scroll positions "
          f"that reach it ({len(probe)} in all)", flush=True)
    check(f"{label}: the transcript reached at some scroll position", len(reached) > 0, probe)
    check(f"{label}: transcript text visible wherever the page shows the transcript", not hidden, hidden)
    check(f"{label}: the player covers at most a third of the transcript", not covered, covered)

    # Skip link: lands on the transcript's heading, in view and uncovered.
    js("window.scrollTo(0,0); document.activeElement && document.activeElement.blur()")
    press(Keys.TAB)
    check(f"{label}: the skip link comes first", js("return document.activeElement.className") == "skip",
          js("return document.activeElement.outerHTML.slice(0,80)"))
    press(Keys.ENTER)
    heading = js("var h=document.getElementById('transcript-heading'), r=h.getBoundingClientRect();"
                 "var hit=document.elementFromPoint(r.left+2,(r.top+r.bottom)/2);"
                 "return {top:r.top, bottom:r.bottom, shown:r.top>=-1 && r.bottom<=innerHeight+1 && hit===h,"
                 " focus:document.activeElement.id}")
    check(f"{label}: the skip link lands on the transcript, visible", heading["shown"], heading)
    check(f"{label}: the skip link moves focus to the transcript", heading["focus"] == "transcript", heading)

    # Tab to each chapter link from below it, and into the transcript:
    # whatever the browser scrolls to must not end up under the player.
    def tab_from(script, what, back=False):
        js(script + ".focus({preventScroll:true}); window.scrollTo(0, document.documentElement.scrollHeight)")
        press(Keys.chord(Keys.SHIFT, Keys.TAB) if back else Keys.TAB)
        f = js(FOCUS_STATE)
        check(f"{label}: focused {what} is not covered", f["overlap"] == 0 and f["shown"], f)
        return f

    n = len(want["chapters"])
    for k in range(n):
        before = "document.getElementById('follow')" if k == 0 else \
            f"document.querySelectorAll('nav.chapters a')[{k - 1}]"
        f = tab_from(before, f"chapter link {k + 1}")
        check(f"{label}: Tab reaches chapter link {k + 1}", f["tag"] == "A", f)
    f = tab_from(f"document.querySelectorAll('nav.chapters a')[{n - 1}]", "sentence")
    check(f"{label}: Tab from the chapters reaches a sentence", f["id"].startswith("s"), f)
    # The arrows move focus between sentences, and never under the player.
    press(Keys.ARROW_DOWN)
    js("window.scrollTo(0, document.documentElement.scrollHeight)")
    press(Keys.ARROW_UP)
    f = js(FOCUS_STATE)
    check(f"{label}: a sentence focused with the arrows is not covered", f["overlap"] == 0 and f["shown"], f)
    set_viewport(driver, 1000, 800)


def keyboard_sentences(driver, url, want):
    """One tab stop for the transcript; Enter or Space plays from the focused sentence."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver.get(url)
    js = driver.execute_script
    keys = ActionChains(driver)

    def press(key, settle=0.15):
        keys.send_keys(key).perform()
        time.sleep(settle)

    wait_for(driver, "var a=document.getElementById('audio'); return a.readyState>=1", timeout=15,
             what="audio metadata")
    check("the transcript is one tab stop",
          js("return document.querySelectorAll('#transcript [tabindex=\"0\"]').length") == 1)
    ids = [s["id"] for s in want["sentences"]]
    links = len(want["chapters"])
    js(f"document.querySelectorAll('nav.chapters a')[{links - 1}].focus()")
    press(Keys.TAB)
    at = js("return document.activeElement.id")
    check("Tab from the last chapter reaches a sentence", at in ids, at)
    if at not in ids:
        return
    k = ids.index(at)
    for key, move in ((Keys.ARROW_DOWN, 1), (Keys.ARROW_DOWN, 1), (Keys.ENTER, 0), (Keys.ARROW_UP, -1),
                      (" ", 0)):
        js("document.getElementById('audio').pause()")
        press(key)
        k = max(0, min(len(ids) - 1, k + move))
        now = js("return document.activeElement.id")
        check(f"after {'Enter' if key == Keys.ENTER else repr(key)}: focus on sentence {ids[k]}", now == ids[k], now)
        if move:
            continue
        s = want["sentences"][k]
        playing = wait_for(driver, f"var a=document.getElementById('audio');"
                                   f"return !a.paused && a.currentTime>={s['start']}-0.01", what="playback")
        st = js("var a=document.getElementById('audio'), c=document.querySelector('#transcript [aria-current]');"
                "return {t:a.currentTime, paused:a.paused, current:c?c.id:null}")
        check(f"{'Enter' if key == Keys.ENTER else 'Space'} plays from sentence {ids[k]}",
              bool(playing) and s["start"] - 0.01 <= st["t"] < s["start"] + 1.0 and st["current"] == ids[k],
              (s, st))
    js("document.getElementById('audio').pause()")
    press(Keys.TAB)
    check("Tab leaves the transcript after one sentence",
          not js("return !!document.activeElement.closest('#transcript')"))


def head_and_cover(driver, url, want, folder, cover):
    """The description, the Open Graph tags, and the cover (or none)."""
    driver.get(url)
    js = driver.execute_script
    meta = js("var m={}; document.querySelectorAll('meta[name],meta[property]').forEach(function(e){"
              "m[e.getAttribute('name')||e.getAttribute('property')]=e.getAttribute('content')}); return m")
    check("meta description", want["title"] in (meta.get("description") or ""), meta.get("description"))
    check("og:title", meta.get("og:title") == want["title"], meta.get("og:title"))
    check("og:description", meta.get("og:description") == meta.get("description"), meta.get("og:description"))
    check("og:type", bool(meta.get("og:type")), meta)
    sources = js("return Array.from(document.querySelectorAll('audio source')).map(e=>e.getAttribute('src'))")
    check("og:audio is the page's audio, beside it",
          meta.get("og:audio") in sources and os.path.isfile(os.path.join(folder, meta["og:audio"])), meta)
    check("og:audio:type", bool(meta.get("og:audio:type")), meta)
    img = js("var i=document.querySelector('img'); if(!i) return null;"
             "return {src:i.getAttribute('src'), alt:i.alt, done:i.complete, w:i.naturalWidth,"
             " top:i.getBoundingClientRect().top, h:i.getBoundingClientRect().height}")
    if not cover:
        check("no cover, no image", img is None and "og:image" not in meta, (img, meta))
        return
    check("og:image is the cover", meta.get("og:image") == cover, meta)
    check("og:image:alt", bool(meta.get("og:image:alt")), meta)
    check("the page shows the cover", img is not None and img["src"] == cover, img)
    if img is None:
        return
    wait_for(driver, "var i=document.querySelector('img'); return i.complete && i.naturalWidth>0",
             what="the cover to load")
    check("the cover loads", js("return document.querySelector('img').naturalWidth") > 0)
    check("the cover has a meaningful alt", len(img["alt"]) > 5 and cover not in img["alt"], img)
    for width, height in ((1280, 800), (320, 256)):
        set_viewport(driver, width, height)
        r = js("var r=document.querySelector('img').getBoundingClientRect(); return {w:r.width, h:r.height}")
        check(f"{width}x{height}: the cover takes at most a third of the window's height, a quarter of its width",
              0 < r["h"] <= height / 3 and r["w"] <= width / 4 + 1, r)
    set_viewport(driver, 1000, 800)


def axe(driver, url, want, source):
    """axe-core's rules, at a desktop size and at 400% zoom, light and dark,
    with a sentence highlighted and one focused."""
    driver.get(url)
    js = driver.execute_script
    wait_for(driver, "var a=document.getElementById('audio'); return a.readyState>=1", timeout=15,
             what="audio metadata")
    s = want["sentences"][min(2, len(want["sentences"]) - 1)]
    js(f"document.getElementById('audio').currentTime={s['start'] + 0.05}")
    wait_for(driver, f"return !!document.querySelector('#{s['id']}[aria-current]')", what="a highlighted sentence")
    js(f"document.getElementById('{want['sentences'][0]['id']}').focus()")
    js(source)
    for width, height in ((1280, 800), (320, 256)):
        for dark in (False, True):
            set_viewport(driver, width, height, dark)
            found = driver.execute_async_script(
                "var done=arguments[arguments.length-1];"
                "axe.run(document,{resultTypes:['violations']}).then(function(r){done(r.violations.map(function(v){"
                "return {id:v.id, impact:v.impact, help:v.help, nodes:v.nodes.slice(0,3).map(function(n){"
                "return n.target.join(' ')+': '+n.failureSummary})}}))}).catch(function(e){done('error: '+e)})")
            label = f"axe-core at {width}x{height}{' (dark)' if dark else ''}"
            print(f"{label}: {len(found) if isinstance(found, list) else found} violation(s)", flush=True)
            check(f"{label}: no violations", found == [], json.dumps(found, indent=1))
    set_viewport(driver, 1000, 800)



def run_from_file(driver, url, want):
    """Opened from disk (no server), the page still plays and seeks."""
    from selenium.webdriver.common.by import By

    driver.get(url)
    ready = wait_for(driver, "var a=document.getElementById('audio');"
                             "return a.readyState>=1 && isFinite(a.duration) ? a.duration : 0",
                     timeout=15, what="audio metadata from file://")
    check("file://: audio loads", bool(ready) and abs(ready - want["total"]) < 0.25, ready)
    links = driver.find_elements(By.CSS_SELECTOR, "nav[aria-label='Chapters'] a")
    if len(links) > 1:
        links[1].click()
        start = want["chapters"][1]["start"]
        t = wait_for(driver, f"var t=document.getElementById('audio').currentTime;"
                             f"return Math.abs(t-{start})<0.05 ? t+1 : 0", what="file:// chapter seek")
        check("file://: chapter link seeks", bool(t), t)


if __name__ == "__main__":
    sys.exit(main())
