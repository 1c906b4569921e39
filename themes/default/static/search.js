// The search page of milepost's default theme, loaded by that page only, so
// other pages do not carry it. No third-party code.
(function () {
  // The search page: the site's own index (under search/index/, made by
  // milepost: see src/search/), loaded on the first search. Its files are
  // scripts that hand their data to milepostSearch(), loaded by <script src>,
  // which browsers allow from a page opened on disk too, unlike fetch.
  function search() {
    var form = document.getElementById("search");
    if (!form) return;
    var input = document.getElementById("search-q");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var names = ["trip", "tag", "year"];
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    names.forEach(function (name) {
      if (form.elements[name] && params.get(name)) form.elements[name].value = params.get(name);
    });
    var dir = new URL(form.getAttribute("data-index"), location.href).href;
    // Index URLs are from the site's root, whatever root this page was reached by.
    var root = new URL("../", location.href).href;
    var disk = location.protocol === "file:";
    var loading = {};
    window.milepostSearch = function (name, data) {
      if (loading[name]) loading[name].done(data);
    };
    function get(name) {
      var entry = loading[name];
      if (!entry) {
        entry = loading[name] = {};
        entry.data = new Promise(function (resolve, reject) {
          entry.done = resolve;
          var script = document.createElement("script");
          // The manifest afresh; the rest by its version, so a cached old
          // shard is never read with a new manifest.
          script.src = dir + name + ".js?" + (name === "manifest" ? "t=" + Date.now() : "v=" + manifest.v);
          script.onload = function () { script.remove(); };
          script.onerror = function () { script.remove(); delete loading[name]; reject(); };
          document.head.appendChild(script);
        });
      }
      return entry.data;
    }

    // Terms, cut as src/search/words.rs cuts text: keep the two alike.
    var cjk = /[\u0e00-\u0e7f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\u{20000}-\u{3134f}]/u;
    var hangul = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;
    var mark = /\p{M}/u;
    function fold(word) {
      return word.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").normalize("NFC");
    }
    function kind(c) { return cjk.test(c) ? 2 : hangul.test(c) ? 1 : 0; }
    // Each word of a query as the terms that must all be found (Chinese,
    // Japanese and Thai: each pair of neighbours, or the one character).
    function words(text) {
      var out = [];
      (text.match(/[\p{L}\p{M}\p{N}]+/gu) || []).forEach(function (run) {
        var seg = [], k = -1;
        function end() {
          if (!seg.length) return;
          if (k === 2) {
            var pairs = [];
            for (var i = 0; i + 1 < seg.length; i++) pairs.push(seg[i] + seg[i + 1]);
            out.push(pairs.length ? pairs : seg.slice());
          } else if (seg.length <= 40) out.push([seg.join("")]);
          seg = [];
        }
        Array.from(fold(run)).forEach(function (c) {
          // A mark belongs to the letter before it, whatever its block.
          var ck = seg.length && mark.test(c) ? k : kind(c);
          if (seg.length && ck !== k) end();
          k = ck;
          seg.push(c);
        });
        end();
      });
      return out;
    }

    var manifest = null;
    // The documents of one term with their scores (a prefix's: of every term it starts).
    function lookup(term, prefix) {
      var shards = manifest.shards, at = 0;
      if (!shards.length) return Promise.resolve(new Map());
      for (var lo = 0, hi = shards.length - 1; lo <= hi;) {
        var mid = (lo + hi) >> 1;
        if (shards[mid] <= term) { at = mid; lo = mid + 1; } else hi = mid - 1;
      }
      var wanted = [at];
      // A short prefix may run on into the next shards: three at most.
      while (prefix && wanted.length < 3 && at + wanted.length < shards.length &&
        shards[at + wanted.length].indexOf(term) === 0) wanted.push(at + wanted.length);
      return Promise.all(wanted.map(function (n) { return get("t" + n); })).then(function (loaded) {
        var found = new Map();
        loaded.forEach(function (shard) {
          for (var i = 0; i < shard.length; i += 2) {
            var t = shard[i];
            if (t === term || (prefix && t.indexOf(term) === 0)) {
              var docs = shard[i + 1], id = 0, weight = t === term ? 1 : 0.5;
              for (var j = 0; j < docs.length; j += 2) {
                id += docs[j];
                found.set(id, Math.max(found.get(id) || 0, docs[j + 1] * weight));
              }
            }
          }
        });
        return found;
      });
    }
    function filtered(name, value) {
      var entry = manifest.filters[name] && manifest.filters[name][value];
      if (!entry) return Promise.resolve(new Map());
      return get("f" + entry[0]).then(function (ids) {
        var found = new Map(), id = 0;
        ids.forEach(function (gap) { id += gap; found.set(id, 0); });
        return found;
      });
    }
    // The ids of the documents every list has, best score first, then newest (lowest id).
    function rank(lists) {
      var n = manifest.docs, first = lists[0], out = [];
      first.forEach(function (_, id) {
        var score = 0;
        for (var i = 0; i < lists.length; i++) {
          var s = lists[i].get(id);
          if (s === undefined) return;
          if (s) score += s * Math.log(1 + (n - lists[i].size + 0.5) / (lists[i].size + 0.5));
        }
        out.push([id, score]);
      });
      out.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
      return out.map(function (r) { return r[0]; });
    }

    var shown = [], terms = [], asked = 0;
    var more = document.createElement("button");
    more.type = "button";
    more.className = "search-more";
    more.textContent = "More results";
    more.hidden = true;
    list.parentNode.insertBefore(more, list.nextSibling);

    function run() {
      var n = ++asked;
      var q = input.value.trim();
      var address = new URLSearchParams();
      if (q) address.set("q", q);
      var chosen = names.filter(function (name) { return form.elements[name] && form.elements[name].value; });
      chosen.forEach(function (name) { address.set(name, form.elements[name].value); });
      if (!disk) history.replaceState(null, "", address.toString() ? "?" + address : location.pathname);
      list.textContent = "";
      more.hidden = true;
      var groups = words(q);
      if (!groups.length && !chosen.length) {
        status.textContent = q ? "Nothing found." : "";
        return;
      }
      status.textContent = "Searching…";
      get("manifest")
        .then(function (m) {
          manifest = m;
          terms = [].concat.apply([], groups);
          var last = groups.length - 1;
          var asks = [];
          groups.forEach(function (group, g) {
            group.forEach(function (term) {
              // The last word is still being typed: any word it starts is found.
              asks.push(lookup(term, g === last && group.length === 1 && kind(term[0]) !== 2));
            });
          });
          chosen.forEach(function (name) { asks.push(filtered(name, form.elements[name].value)); });
          return Promise.all(asks);
        })
        .then(function (lists) {
          if (n !== asked) return;
          shown = rank(lists);
          // Said once the first results are on the page, for screen readers and tests alike.
          return page(0, n).then(function () {
            if (n !== asked) return;
            status.textContent = shown.length === 0 ? "Nothing found." :
              shown.length === 1 ? "1 post or page found." : shown.length + " posts and pages found.";
          });
        })
        .catch(function () {
          if (n === asked) status.textContent = "The search index could not be loaded. Reload the page to try again.";
        });
    }
    // Ten results at a time, from the chunks of documents that hold them.
    function page(from, n) {
      var next = shown.slice(from, from + 10);
      return Promise.all(next.map(function (id) {
        return get("d" + Math.floor(id / manifest.chunk)).then(function (docs) { return docs[id % manifest.chunk]; });
      })).then(function (docs) {
        if (n !== asked) return;
        docs.forEach(function (doc) { list.appendChild(item(doc)); });
        more.hidden = from + 10 >= shown.length;
        more.onclick = function () { page(from + 10, n); };
      });
    }
    // A result: [url, title, date, place, trip, excerpt], all text put in as text.
    function item(doc) {
      var li = document.createElement("li");
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = new URL(doc[0], root).href + (disk && /\/$/.test(doc[0]) ? "index.html" : "");
      link.textContent = doc[1] || doc[0];
      heading.appendChild(link);
      li.appendChild(heading);
      var facts = doc.slice(2, 5).filter(Boolean);
      if (facts.length) {
        var meta = document.createElement("p");
        meta.className = "meta";
        meta.textContent = facts.join(" · ");
        li.appendChild(meta);
      }
      var excerpt = document.createElement("p");
      // The words found, marked: each word of the text whose folded form holds a term.
      doc[5].split(/([\p{L}\p{M}\p{N}]+)/u).forEach(function (part, i) {
        var f = i % 2 === 1 && fold(part);
        var hit = f && terms.some(function (t) {
          return kind(t[0]) ? f.indexOf(t) >= 0 : f.indexOf(t) === 0;
        });
        if (hit) {
          var m = document.createElement("mark");
          m.textContent = part;
          excerpt.appendChild(m);
        } else excerpt.appendChild(document.createTextNode(part));
      });
      li.appendChild(excerpt);
      return li;
    }

    var typing = null;
    input.addEventListener("input", function () {
      clearTimeout(typing);
      typing = setTimeout(run, 250);
    });
    names.forEach(function (name) {
      if (form.elements[name]) form.elements[name].addEventListener("change", run);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(typing);
      run();
    });
    if (input.value.trim() || names.some(function (name) { return form.elements[name] && form.elements[name].value; })) run();
  }

  search();
})();
