#!/usr/bin/env python3
"""Drives turncast's web player (index.html) in headless Chromium.

  player_test.py DIR EXPECTED.json

DIR holds index.html, the audio and the captions; EXPECTED.json says where the
chapters and sentences are: {"total": s, "chapters": [{"start", "title"}],
"sentences": [{"id", "start", "end"}]}. The folder is served on 127.0.0.1 (a
random port, with HTTP range requests as real servers do) and checked for:
the audio loads, a chapter link seeks to its chapter, the highlight follows
playback, the keyboard shortcuts, focus visibility, and the landmarks and
labels a screen reader announces.

Exit status: 0 all good, 1 a check failed, 77 Chromium cannot start here
(the caller reports the test as skipped).
"""
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
            outputfile.write(chunk)
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


def main():
    folder, expected_path = sys.argv[1], sys.argv[2]
    with open(expected_path, encoding="utf-8") as f:
        want = json.load(f)

    handler = functools.partial(RangeHandler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    profile = tempfile.mkdtemp(prefix="turncast-chromium-")
    driver = start_browser(profile)
    driver.set_page_load_timeout(20)
    driver.set_script_timeout(20)
    try:
        run(driver, f"http://127.0.0.1:{server.server_address[1]}/index.html", want)
        run_from_file(driver, "file://" + os.path.abspath(os.path.join(folder, "index.html")), want)
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
