#!/usr/bin/env node
// Reads a turncast feed.xml with the Podcasting 2.0 parser podcast-partytime
// (the Podcast Index's own, pinned in tests/tools/package.json) and checks it
// against the same expectations as check_feed.py:
//
//   node check_feed_partytime.js NODE_MODULES FEED.xml EXPECTED.json
//
// Exits 0 when everything matches, 1 with a message per difference.
"use strict";
process.env.PARTYTIME_LOG = process.env.PARTYTIME_LOG || "silent";
const [modules, feedPath, expectedPath] = process.argv.slice(2);
const pt = require(modules + "/podcast-partytime");
const fs = require("fs");

const failures = [];
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
function check(what, got, want) {
  if (!same(got, want)) failures.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
// [y, m, d, H, M] (UTC) as partytime's ISO string.
const iso = (p) => new Date(Date.UTC(p[0], p[1] - 1, p[2], p[3], p[4])).toISOString();
// "Mon, 07 Dec 2026 12:10:00 +0000" as an ISO string.
const isoOf = (rfc822) => new Date(rfc822).toISOString();

const want = JSON.parse(fs.readFileSync(expectedPath, "utf8"));
const feed = pt.parseFeed(fs.readFileSync(feedPath, "utf8"));
if (!feed) {
  console.log("podcast-partytime: not a feed");
  process.exit(1);
}
check("title", feed.title, want.title);
check("author", feed.author, want.author);
check("language", feed.language, "en");
check("explicit", feed.explicit, false);
if (want.podcast_guid) check("podcast:guid", feed.guid, want.podcast_guid);
if (want.owner) check("itunes:owner", feed.owner, { name: want.owner[0], email: want.owner[1] });
if (want.copyright) check("copyright", feed.copyright, want.copyright);
if (want.locked) {
  check("podcast:locked", feed.locked, want.locked[0] === "yes");
  check("podcast:locked owner", feed.podcastOwner, want.locked[1]);
}
if (want.built) check("lastBuildDate", new Date(feed.lastBuildDate).toISOString(), isoOf(want.built));
for (const phase of ["locked", "transcript", "chapters", "person", "guid", "alternateEnclosure"]) {
  const found = Object.values(feed.pc20support || {}).some((tags) => tags.includes(phase));
  check(`Podcasting 2.0 support lists ${phase}`, found, true);
}

check("item count", feed.items.length, want.items.length);
want.items.forEach((w, i) => {
  const it = feed.items[i] || {};
  const p = `item ${i} (${w.title})`;
  check(p + " title", it.title, w.title);
  check(p + " guid", it.guid, w.guid);
  check(p + " pubDate", new Date(it.pubDate).toISOString(), iso(w.published));
  check(p + " enclosure", it.enclosure,
        { url: w.enclosure.url, length: w.enclosure.length, type: w.enclosure.type });
  const alt = (it.alternativeEnclosures || [])[0] || {};
  check(p + " alternateEnclosure", [alt.type, alt.length, (alt.source || [])[0] && alt.source[0].uri],
        ["audio/ogg; codecs=opus", w.opus.length, w.opus.url]);
  if (w.mp3) {
    const mp3 = (it.alternativeEnclosures || []).find((a) => a.type === "audio/mpeg") || {};
    check(p + " MP3 alternateEnclosure", [mp3.length, (mp3.source || [])[0] && mp3.source[0].uri],
          [w.mp3.length, w.mp3.url]);
  }
  check(p + " duration", it.duration, w.duration);
  check(p + " chapters", it.podcastChapters, { url: w.chapters, type: "application/json+chapters" });
  const vtt = (it.podcastTranscripts || []).find((t) => t.type === "text/vtt");
  check(p + " vtt transcript", vtt && vtt.url, w.vtt);
  if (w.people) {
    const role = (r) => r[0].toUpperCase() + r.slice(1);
    check(p + " podcast:person", (it.podcastPeople || []).map((x) => [x.name, x.role, x.group]),
          w.people.map(([name, r]) => [name, role(r), "Cast"]));
  }
  if (w.image) check(p + " itunes:image", it.image || it.itunesImage, w.image);
});
if (failures.length) {
  console.log(failures.join("\n"));
  process.exit(1);
}
console.log(`podcast-partytime: ok, ${feed.items.length} items`);
