/* digest search: runs in the page over window.DIGEST_SEARCH (search-index.js, loaded by a
   script tag, so it works from disk too). Ranking mirrors digest/search.py::search. */
(function () {
  "use strict";
  var STOP = " a an and are as at be by for from has have in is it its of on or that the to was were will with ";
  var LIMIT = 20;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var data = window.DIGEST_SEARCH;
  if (!form || !input || !list) return;
  if (!data) { status.textContent = "The search index is missing."; return; }
  var root = form.getAttribute("data-root") || "";
  var prepared = null;

  function fold(s) {
    return (" " + String(s).toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, " ") + " ").replace(/ +/g, " ");
  }
  function prepare() {
    prepared = data.docs.map(function (d) {
      var tags = d[4].map(function (t) { return data.tags[t]; }).join(" ");
      return { title: fold(d[0]), tags: fold(tags), summary: fold(d[3]) };
    });
  }
  function terms(q) {
    var words = fold(q).trim().split(" ").filter(Boolean);
    var content = words.filter(function (w) { return STOP.indexOf(" " + w + " ") < 0; });
    var seen = {};
    return (content.length ? content : words).filter(function (w) { return seen[w] ? false : (seen[w] = true); });
  }
  function score(h, t, whole, start) {
    if (h.indexOf(" " + t + " ") >= 0) return whole;
    if (h.indexOf(" " + t) >= 0) return start;
    return 0;
  }
  function search(q) {
    var ts = terms(q);
    if (!ts.length) return [];
    if (!prepared) prepare();
    var phrase = fold(q);
    var hits = [];
    for (var i = 0; i < prepared.length; i++) {
      var p = prepared[i], total = 0, ok = true;
      for (var j = 0; j < ts.length; j++) {
        var best = Math.max(score(p.title, ts[j], 10, 7), score(p.tags, ts[j], 8, 5), score(p.summary, ts[j], 3, 2));
        if (!best) { ok = false; break; }
        total += best;
      }
      if (!ok) continue;
      if (ts.length > 1 && p.title.indexOf(phrase) >= 0) total += 5;
      hits.push([total, i]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    return hits;
  }
  function el(name, cls, text) {
    var e = document.createElement(name);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function show(q) {
    var hits = search(q);
    list.textContent = "";
    if (!q.trim()) { status.textContent = "Type a word from a headline, a summary or a tag."; return hits; }
    status.textContent = hits.length === 0 ? "No stories match “" + q.trim() + "”."
      : hits.length + (hits.length === 1 ? " story matches" : " stories match") + " “" + q.trim() + "”"
        + (hits.length > LIMIT ? "; the best " + LIMIT + " are shown." : ".");
    hits.slice(0, LIMIT).forEach(function (h) {
      var d = data.docs[h[1]];
      var li = el("li", "result");
      var head = el("h2", "story-headline");
      var a = el("a", "", d[0]);
      a.href = root + "articles/" + d[1] + "/index.html";
      head.appendChild(a);
      li.appendChild(head);
      var meta = d[2] + (d[5] >= 0 ? " · " + data.sections[d[5]] : "");
      var tags = d[4].map(function (t) { return data.tags[t]; }).join(", ");
      li.appendChild(el("p", "meta", meta + (tags ? " · " + tags : "")));
      if (d[3]) li.appendChild(el("p", "story-summary", d[3]));
      list.appendChild(li);
    });
    return hits;
  }
  var timer = null;
  function run() {
    var q = input.value;
    show(q);
    try { history.replaceState(null, "", "?q=" + encodeURIComponent(q)); } catch (e) { /* file:// may refuse */ }
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 80); });
  form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  var initial = new URLSearchParams(location.search).get("q") || "";
  input.value = initial;
  show(initial);
  // Fold the index while the reader is still typing, not on the first keystroke.
  if (!prepared) setTimeout(function () { if (!prepared) prepare(); }, 0);
  window.digestSearch = function (q) { return search(q).map(function (h) { return h[1]; }); };
})();
