// The web player: one static, self-contained, accessible page beside the
// audio (no external resources, so it works from file:// and any server).
// The transcript highlight follows the sentences' own data-start/data-end
// attributes, not the caption track, so it works even where the browser will
// not load a <track> (Chromium refuses tracks from file:// URLs). On a phone
// or zoomed in, the controls scroll away rather than cover the transcript;
// every sentence plays from a click or from the keyboard.
#include <cstdio>

#include "sidecar/manifest.hpp"
#include "sidecar/sidecar.hpp"
#include "sidecar/text.hpp"

namespace turncast::sidecar {
namespace {

constexpr const char* kStyle = R"css(
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fdfdfb; --muted: #555;
        --accent: #0b5cad; --mark: #fff0a8; --markfg: #1b1b1b; --line: #ccc; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #eee; --bg: #161616; --muted: #aaa; --accent: #8cc4ff; --mark: #5a4a00;
          --markfg: #fff; --line: #444; }
}
* { box-sizing: border-box; }
html { scroll-padding-top: var(--sticky, 0px); }
body { margin: 0; font: 1.05rem/1.6 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
.wrap { max-width: 46rem; margin: 0 auto; padding: 1rem; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem; z-index: 2; }
.skip:focus { left: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0; overflow-wrap: break-word; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; border-top: 1px solid var(--line); padding-top: .75rem; }
.head { display: flex; gap: 1rem; align-items: flex-start; }
.head { flex-wrap: wrap; }
.head > div { flex: 1 1 16rem; min-width: 0; }
.cover { flex: none; width: min(9rem, 24vw, 30vh); height: auto; aspect-ratio: 1; object-fit: contain;
         margin-top: .5rem; }
.meta, .help { color: var(--muted); }
.player { background: var(--bg); padding: .5rem 0; border-bottom: 1px solid var(--line); }
.player.sticky { position: sticky; top: 0; z-index: 1; margin: 0 -1rem; padding: .5rem 1rem; }
.player h2 { margin: 0 0 .25rem; }
.bar { display: flex; flex-wrap: wrap; gap: 0 1.5rem; align-items: baseline; }
.bar p { margin: .25rem 0 0; }
.bar .now { flex: 1 1 12rem; }
audio { width: 100%; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, audio:focus-visible, input:focus-visible, summary:focus-visible,
.s:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
nav ol { padding-left: 1.5rem; }
nav li { margin: .2rem 0; }
nav a[aria-current] { font-weight: bold; }
nav .time, .now { font-variant-numeric: tabular-nums; }
.turn { margin: .75rem 0; }
.speaker { font-weight: bold; margin: 0; }
.turn p { margin: .25rem 0 .5rem; }
.s { border-radius: 3px; cursor: pointer; }
.s.current { background: var(--mark); color: var(--markfg); box-shadow: 0 0 0 2px var(--mark);
             text-decoration: underline; text-decoration-thickness: 2px; }
@media (prefers-reduced-motion: reduce) { html { scroll-behavior: auto; } }
)css";

constexpr const char* kScript = R"js(
(function () {
  'use strict';
  var audio = document.getElementById('audio');
  var player = document.getElementById('player');
  var live = document.getElementById('now');
  var follow = document.getElementById('follow');
  var transcript = document.getElementById('transcript');
  var sentences = Array.prototype.slice.call(document.querySelectorAll('#transcript [data-start]'));
  var links = Array.prototype.slice.call(document.querySelectorAll('nav.chapters a[data-start]'));
  var starts = sentences.map(function (e) { return parseFloat(e.getAttribute('data-start')); });
  var ends = sentences.map(function (e) { return parseFloat(e.getAttribute('data-end')); });
  var chapterStarts = links.map(function (e) { return parseFloat(e.getAttribute('data-start')); });
  var reduceMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var current = null, chapter = -1, stop = null;

  // The player stays at the top of the window only while it takes at most a
  // third of it: on a phone or zoomed in, it scrolls away with the page
  // rather than hide the transcript. Where it stays, scroll-padding keeps
  // whatever the browser scrolls to (focus, the skip link) below it.
  function fit() {
    var h = player.getBoundingClientRect().height;
    var stick = h <= window.innerHeight / 3;
    player.classList.toggle('sticky', stick);
    document.documentElement.style.setProperty('--sticky', stick ? Math.ceil(h) + 8 + 'px' : '0px');
  }
  // How far the sticky player covers an element outside it (0: not at all).
  function covered(el) {
    if (!player.classList.contains('sticky') || player.contains(el) || !el.getBoundingClientRect) return 0;
    var p = player.getBoundingClientRect(), r = el.getBoundingClientRect();
    return r.top < p.bottom && r.bottom > p.top ? p.bottom - r.top + 8 : 0;
  }

  // Index of the last entry whose start is at or before t, or -1.
  function find(list, t) {
    var lo = 0, hi = list.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid] <= t + 0.0005) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }
  function chapterText(c) {
    return 'Chapter ' + (c + 1) + ' of ' + links.length + ': ' + links[c].getAttribute('data-title');
  }
  function announce(text) { live.textContent = text; }
  // The transcript is one tab stop: the sentence last visited, or the one
  // playing; the arrows move it, so a long transcript is not a thousand stops.
  // Sentences take no button or link role: a screen reader reading the
  // transcript reads text, not a thousand controls, and its Enter clicks.
  function setStop(el) {
    if (!el || el === stop) return;
    if (stop) stop.setAttribute('tabindex', '-1');
    stop = el;
    stop.setAttribute('tabindex', '0');
  }
  function update(t, speak) {
    var i = find(starts, t);
    var el = (i >= 0 && t < ends[i]) ? sentences[i] : null;
    if (el !== current) {
      if (current) { current.classList.remove('current'); current.removeAttribute('aria-current'); }
      if (el) {
        el.classList.add('current');
        el.setAttribute('aria-current', 'true');
        if (!transcript.contains(document.activeElement)) setStop(el);  // never move focus under the reader
        if (follow && follow.checked && !audio.paused) {
          el.scrollIntoView({ block: 'center', behavior: reduceMotion ? 'auto' : 'smooth' });
        }
      }
      current = el;
    }
    var c = find(chapterStarts, t);
    if (c !== chapter) {
      if (chapter >= 0) links[chapter].removeAttribute('aria-current');
      if (c >= 0) {
        links[c].setAttribute('aria-current', 'true');
        if (speak) announce(chapterText(c));
      }
      chapter = c;
    }
  }
  function seek(t) {
    t = Math.max(0, t);
    if (isFinite(audio.duration)) t = Math.min(t, audio.duration);
    audio.currentTime = t;
    update(t, true);
  }
  function play() {
    var p = audio.play();
    if (p && p.catch) p.catch(function () { announce('The browser did not start playback.'); });
  }
  function toggle() {
    if (audio.paused) play(); else audio.pause();
  }
  function playFrom(el) {
    setStop(el);
    seek(parseFloat(el.getAttribute('data-start')));
    play();
  }
  function step(delta) {
    if (!links.length) return;
    var c = find(chapterStarts, audio.currentTime);
    // "Previous" first returns to the start of the current chapter, as
    // players do, unless playback is within 3 s of it.
    var target = c + delta;
    if (delta < 0 && c >= 0 && audio.currentTime - chapterStarts[c] > 3) target = c;
    target = Math.max(0, Math.min(links.length - 1, target));
    seek(chapterStarts[target]);
  }
  // Enter or Space plays from the focused sentence; the arrows, Home and End
  // move between sentences. Returns false for any other key.
  function sentenceKey(e, i) {
    var to = -1;
    switch (e.key) {
      case 'Enter': case ' ': case 'Spacebar': playFrom(sentences[i]); return true;
      case 'ArrowDown': to = Math.min(sentences.length - 1, i + 1); break;
      case 'ArrowUp': to = Math.max(0, i - 1); break;
      case 'Home': to = 0; break;
      case 'End': to = sentences.length - 1; break;
      default: return false;
    }
    setStop(sentences[to]);
    sentences[to].focus();
    return true;
  }

  audio.addEventListener('timeupdate', function () { update(audio.currentTime, !audio.paused); });
  audio.addEventListener('seeked', function () { update(audio.currentTime, false); });
  links.forEach(function (a) {
    a.addEventListener('click', function (e) {
      e.preventDefault();
      seek(parseFloat(a.getAttribute('data-start')));
    });
  });
  sentences.forEach(function (s) {
    s.setAttribute('tabindex', '-1');
    s.addEventListener('click', function () { playFrom(s); });
  });
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    var t = e.target || {};
    var tag = (t.tagName || '').toUpperCase();
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || t.isContentEditable) return;
    if (t.nodeType === 1 && t.hasAttribute('data-start') && transcript.contains(t) && !e.shiftKey &&
        sentenceKey(e, sentences.indexOf(t))) { e.preventDefault(); return; }
    var onAudio = t === audio;                    // the native controls handle space and arrows
    var onControl = tag === 'A' || tag === 'BUTTON' || tag === 'SUMMARY';  // space activates these
    switch (e.key) {
      case ' ': case 'Spacebar': if (onAudio || onControl) return; toggle(); break;
      case 'k': case 'K': toggle(); break;
      case 'j': case 'J': seek(audio.currentTime - 10); break;
      case 'l': case 'L': seek(audio.currentTime + 10); break;
      case 'ArrowLeft': if (onAudio) return; seek(audio.currentTime - 10); break;
      case 'ArrowRight': if (onAudio) return; seek(audio.currentTime + 10); break;
      case 'n': case 'N': step(1); break;
      case 'p': case 'P': step(-1); break;
      default: return;
    }
    e.preventDefault();
  });
  // Scroll-padding already keeps focus clear of the sticky player; this
  // catches what a browser scrolls without it.
  document.addEventListener('focusin', function (e) {
    window.requestAnimationFrame(function () {
      var by = covered(e.target);
      if (by > 0) window.scrollBy(0, -by);
    });
  });
  if (window.ResizeObserver) new ResizeObserver(fit).observe(player);
  window.addEventListener('resize', fit);
  fit();
  setStop(sentences[0]);
  update(audio.currentTime || 0, false);
})();
)js";

std::string clock_text(std::int64_t samples) {
    std::int64_t s = to_ms(samples) / 1000;
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60),
                      (long long)(s % 60));
    else
        std::snprintf(buf, sizeof buf, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
    return buf;
}

// "2021-08-30" → "30 August 2021"; anything else as written.
std::string long_date(const std::string& iso) {
    static const char* months[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
    int y = 0, m = 0, d = 0;
    if (iso.size() == 10 && std::sscanf(iso.c_str(), "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12 &&
        d >= 1 && d <= 31)
        return std::to_string(d) + " " + months[m - 1] + " " + std::to_string(y);
    return iso;
}

std::string attr(std::string_view text) { return escape_xml(text); }

// turncast cannot know what a cover shows, so its text says what it is for.
std::string cover_alt(const std::string& title) { return "Cover art: " + title; }

}  // namespace

// The transcript: a heading per chapter, a block per turn with its
// speaker's name, a paragraph per segment and a span per timed sentence.
template <typename Sentences>
std::string transcript_html(const Script& script, const Sentences& sentences) {
    std::string h;
    std::size_t chapter = std::size_t(-1), turn = std::size_t(-1), segment = std::size_t(-1);
    std::string speaker;
    bool in_turn = false, in_para = false;
    auto close_para = [&] {
        if (in_para) h += "</p>\n";
        in_para = false;
    };
    auto close_turn = [&] {
        close_para();
        if (in_turn) h += "</div>\n";
        in_turn = false;
    };
    for (std::size_t k = 0; k < sentences.size(); ++k) {
        const auto& s = sentences[k];
        const auto& seg = script.segments[s.segment];
        if (seg.chapter != chapter && seg.chapter < script.chapters.size()) {
            close_turn();
            chapter = seg.chapter;
            h += "<h3 id=\"chapter-" + std::to_string(chapter + 1) + "\">" +
                 escape_xml(script.chapters[chapter].title) + "</h3>\n";
        }
        std::string name = speaker_name(script, seg);
        if (!in_turn || seg.turn != turn || name != speaker) {
            close_turn();
            turn = seg.turn;
            speaker = name;
            h += "<div class=\"turn\">\n<p class=\"speaker\">" + escape_xml(name) + "</p>\n";
            in_turn = true;
        }
        if (!in_para || s.segment != segment) {
            close_para();
            segment = s.segment;
            h += "<p>";
            in_para = true;
        } else {
            h += " ";
        }
        h += "<span class=\"s\" id=\"s" + std::to_string(k + 1) + "\" data-start=\"" + seconds_text(s.start) +
             "\" data-end=\"" + seconds_text(s.end) + "\">" + escape_xml(s.body) + "</span>";
    }
    close_turn();
    return h;
}

namespace {

// The page's identity for search engines and link previews: its description
// and the Open Graph tags. The render knows no public address, so og:audio
// and og:image name the files beside the page, as every other link here does.
std::string head_meta(const Script& script, const Names& names, const std::string& title) {
    const std::string about = describe(script);
    std::string h;
    auto meta = [&](const char* key, const char* name, const std::string& content) {
        h += std::string("<meta ") + key + "=\"" + name + "\" content=\"" + attr(content) + "\">\n";
    };
    meta("name", "description", about);
    meta("property", "og:type", "article");
    meta("property", "og:title", title);
    meta("property", "og:description", about);
    if (!script.meta.date.empty()) meta("property", "article:published_time", script.meta.date);
    const bool m4a = !names.audio_m4a.empty();
    if (m4a || !names.audio_opus.empty()) {
        meta("property", "og:audio", m4a ? names.audio_m4a : names.audio_opus);
        meta("property", "og:audio:type", media_type(m4a ? "m4a" : "opus"));
    }
    if (!names.cover.empty()) {
        meta("property", "og:image", names.cover);
        meta("property", "og:image:alt", cover_alt(title));
    }
    return h;
}

// Banner: the event as the transcript names it, and the cover beside it.
std::string banner(const Script& script, const Names& names, const std::string& title,
                   const std::vector<std::string>& people) {
    std::string h = "<header class=\"wrap head\">\n<div>\n<h1>" + escape_xml(title) + "</h1>\n";
    std::vector<std::string> when;
    if (!script.meta.date.empty())
        when.push_back("<time datetime=\"" + attr(script.meta.date) + "\">" +
                       escape_xml(long_date(script.meta.date)) + "</time>");
    if (!script.meta.time.empty()) when.push_back(escape_xml(script.meta.time));
    if (!script.meta.place.empty()) when.push_back(escape_xml(script.meta.place));
    if (!when.empty()) h += "<p class=\"meta\">" + join(when, ", ") + "</p>\n";
    if (!people.empty()) h += "<p class=\"meta\">Speakers: " + escape_xml(join(people, ", ")) + "</p>\n";
    h += "<p class=\"meta\">An audio edition with synthetic voices: each speaker has a voice of their own.</p>\n";
    h += "</div>\n";
    if (!names.cover.empty())
        h += "<img class=\"cover\" src=\"" + attr(names.cover) + "\" alt=\"" + attr(cover_alt(title)) + "\">\n";
    return h + "</header>\n";
}

// The controls: kept short, as the script keeps them at the top of the
// window while they fit in a third of it.
std::string controls(const Names& names, const std::string& title, const std::string& lang) {
    std::string h = "<section class=\"player\" id=\"player\" aria-labelledby=\"listen-heading\">\n";
    h += "<h2 id=\"listen-heading\">Listen</h2>\n";
    h += "<audio id=\"audio\" controls preload=\"metadata\" aria-label=\"" + attr("Audio: " + title) +
         "\" aria-describedby=\"keys\">\n";
    // A render may have only one of the two (--formats): list what exists.
    if (!names.audio_m4a.empty())
        h += "<source src=\"" + attr(names.audio_m4a) + "\" type=\"" + media_type("m4a") + "\">\n";
    if (!names.audio_opus.empty())
        h += "<source src=\"" + attr(names.audio_opus) + "\" type=\"" + media_type("opus") + "\">\n";
    h += "<track kind=\"captions\" src=\"" + attr(names.slug + ".vtt") + "\" srclang=\"" + attr(lang) +
         "\" label=\"Captions\" default>\n";
    h += "<p>This browser cannot play the audio here: download it below.</p>\n";
    h += "</audio>\n<div class=\"bar\">\n";
    h += "<p><label><input type=\"checkbox\" id=\"follow\" checked> Scroll the transcript with the "
         "audio</label></p>\n";
    h += "<p id=\"now\" class=\"now\" role=\"status\" aria-live=\"polite\"></p>\n";
    h += "</div>\n</section>\n";
    h += "<p id=\"keys\" class=\"help\">Keys: Space or K play and pause; J and L, or the left and right "
         "arrows, go back and forward 10 seconds; N and P go to the next and previous chapter.</p>\n";
    return h;
}

std::string chapter_list(const Script& script, const Timeline& timeline) {
    std::string h = "<nav class=\"chapters\" aria-label=\"Chapters\">\n"
                    "<h2 id=\"chapters-heading\">Chapters</h2>\n<ol>\n";
    for (std::size_t c = 0; c < script.chapters.size(); ++c) {
        const auto at = timeline.chapter_starts[c];
        const auto& name = script.chapters[c].title;
        h += "<li><a href=\"#chapter-" + std::to_string(c + 1) + "\" data-start=\"" + seconds_text(at) +
             "\" data-title=\"" + attr(name) + "\"><span class=\"time\">" + clock_text(at) + "</span> " +
             escape_xml(name) + "</a></li>\n";
    }
    return h + "</ol>\n</nav>\n";
}

std::string footer(const Names& names) {
    std::string h = "<footer class=\"wrap meta\">\n<p>Files: ";
    if (!names.audio_m4a.empty()) h += "<a href=\"" + attr(names.audio_m4a) + "\">M4A audio</a>, ";
    if (!names.audio_opus.empty()) h += "<a href=\"" + attr(names.audio_opus) + "\">Opus audio</a>, ";
    h += "<a href=\"" + attr(names.slug + ".vtt") +
         "\">captions (WebVTT)</a>, <a href=\"" + attr(names.slug + ".srt") + "\">captions (SRT)</a>, <a href=\"" +
         attr(names.slug + ".chapters.json") + "\">chapters (JSON)</a>, <a href=\"" +
         attr(names.slug + ".transcript.json") + "\">transcript (JSON)</a>.</p>\n";
    return h + "<p>Made with turncast " TURNCAST_VERSION " and eSpeak NG.</p>\n</footer>\n";
}

}  // namespace

std::string web_player(const Script& script, const Timeline& timeline, const Names& names) {
    const auto sentences = timed_sentences(script, timeline);  // checks the timeline
    const std::string title = script.meta.title.empty() ? names.slug : script.meta.title;
    const std::string lang = script_language(script);

    std::vector<std::string> people;
    for (const auto& s : script.speakers)
        if (s.role != SpeakerRole::Narrator) people.push_back(s.name.empty() ? s.id : s.name);

    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"" + attr(lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
    h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    h += "<meta name=\"generator\" content=\"turncast " TURNCAST_VERSION "\">\n";
    h += "<title>" + escape_xml(title) + "</title>\n";
    if (!people.empty()) h += "<meta name=\"author\" content=\"" + attr(join(people, ", ")) + "\">\n";
    h += head_meta(script, names, title);
    h += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
    h += "<a class=\"skip\" href=\"#transcript\">Skip to the transcript</a>\n";
    h += banner(script, names, title, people);

    h += "<main class=\"wrap\" id=\"main\">\n";
    h += controls(names, title, lang);
    h += chapter_list(script, timeline);
    h += "<section id=\"transcript\" aria-labelledby=\"transcript-heading\" tabindex=\"-1\">\n";
    h += "<h2 id=\"transcript-heading\">Transcript</h2>\n";
    h += "<p class=\"help\">To play from a sentence, click it, or press Tab to reach the transcript, move "
         "with the up and down arrows, and press Enter or Space.</p>\n";
    h += transcript_html(script, sentences);
    h += "</section>\n</main>\n";
    h += footer(names);
    h += "<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
    return h;
}

}  // namespace turncast::sidecar
