// milepost's default theme: three small things, no third-party code.
(function () {
  // Opened straight from disk (file://), a browser does not turn a folder into
  // its index.html, so folder links (and the search box's form) get it added.
  if (location.protocol === "file:") {
    document.querySelectorAll("a[href]").forEach(function (a) {
      if (a.protocol === "file:" && a.pathname.slice(-1) === "/") a.pathname += "index.html";
    });
    document.querySelectorAll("form[action]").forEach(function (form) {
      var to = new URL(form.getAttribute("action"), location.href);
      if (to.protocol === "file:" && to.pathname.slice(-1) === "/") form.action = to.href + "index.html";
    });
  }

  search();

  // A lightbox for a post's photos: click (or tap) a photo to see it large;
  // arrow keys or a swipe go to the next and previous one; Escape, the close
  // button or a click beside the photo closes it. Without script, the photo
  // link simply opens the large picture.
  var links = Array.prototype.slice.call(document.querySelectorAll("a.zoom"));
  if (!links.length) return;
  var box = document.createElement("div");
  box.className = "lightbox";
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-modal", "true");
  box.setAttribute("aria-label", "Photo");
  box.hidden = true;
  box.innerHTML =
    '<button class="lb-close" aria-label="Close">×</button>' +
    '<button class="lb-prev" aria-label="Previous photo">‹</button>' +
    '<figure><picture><img alt=""></picture><figcaption></figcaption></figure>' +
    '<button class="lb-next" aria-label="Next photo">›</button>';
  document.body.appendChild(box);
  var picture = box.querySelector("picture");
  var img = box.querySelector("img");
  var caption = box.querySelector("figcaption");
  var current = 0;
  var opener = null;

  function show(i) {
    current = (i + links.length) % links.length;
    var link = links[current];
    var thumb = link.querySelector("img");
    // The photo's own formats and sizes, chosen again for the whole screen:
    // a phone that showed the AVIF gets the AVIF, large.
    Array.prototype.slice.call(picture.querySelectorAll("source")).forEach(function (s) { s.remove(); });
    if (thumb && thumb.parentNode.tagName === "PICTURE") {
      Array.prototype.slice.call(thumb.parentNode.querySelectorAll("source")).forEach(function (s) {
        var copy = s.cloneNode(false);
        copy.sizes = "100vw";
        picture.insertBefore(copy, img);
      });
    }
    if (thumb && thumb.srcset) {
      img.srcset = thumb.srcset;
      img.sizes = "100vw";
    } else {
      img.removeAttribute("srcset");
    }
    img.src = link.href;
    img.alt = thumb ? thumb.alt : "";
    // A front-matter photo's caption is its figure's; a photo in the text has its alt.
    var figure = link.closest("figure");
    var figcaption = figure && figure.querySelector("figcaption");
    caption.textContent = figcaption ? figcaption.textContent.trim() : img.alt;
    box.querySelector(".lb-prev").hidden = box.querySelector(".lb-next").hidden = links.length < 2;
  }
  function open(i) {
    opener = document.activeElement;
    show(i);
    box.hidden = false;
    document.documentElement.classList.add("lb-open");
    box.querySelector(".lb-close").focus();
  }
  function close() {
    box.hidden = true;
    document.documentElement.classList.remove("lb-open");
    if (opener) opener.focus();
  }

  links.forEach(function (link, i) {
    link.addEventListener("click", function (event) {
      if (event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      open(i);
    });
  });
  box.querySelector(".lb-close").addEventListener("click", close);
  box.querySelector(".lb-prev").addEventListener("click", function () { show(current - 1); });
  box.querySelector(".lb-next").addEventListener("click", function () { show(current + 1); });
  box.addEventListener("click", function (event) {
    if (event.target === box || event.target.tagName === "FIGURE") close();
  });
  document.addEventListener("keydown", function (event) {
    if (box.hidden) return;
    if (event.key === "Escape") close();
    else if (event.key === "ArrowLeft") show(current - 1);
    else if (event.key === "ArrowRight") show(current + 1);
  });
  var startX = null;
  box.addEventListener("touchstart", function (event) { startX = event.touches[0].clientX; }, { passive: true });
  box.addEventListener("touchend", function (event) {
    if (startX === null) return;
    var dx = event.changedTouches[0].clientX - startX;
    startX = null;
    if (Math.abs(dx) > 40) show(current + (dx < 0 ? 1 : -1));
  });

  // The search page: the site's own index (Pagefind, under pagefind/),
  // loaded on the first search. Browsers refuse its module, worker and
  // WebAssembly from file://, so there the page says so instead.
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
    if (location.protocol === "file:") {
      status.textContent = "Search needs the site to be served over http(s); it cannot run from a file opened on disk. " +
        "The timeline and the tags list every post.";
      form.hidden = true;
      return;
    }
    // Every URL in the index starts with base_url's path; the site may be
    // reached by another (a preview, `serve`), so results lead to the root
    // this page was reached from.
    var base = form.getAttribute("data-base-path");
    var root = new URL("../", location.href).pathname;
    function reroot(url) {
      return url.indexOf(base) === 0 ? root + url.slice(base.length) : url;
    }
    var engine = null;
    function load() {
      if (!engine) {
        engine = import(new URL(form.getAttribute("data-pagefind"), location.href).href).then(function (pagefind) {
          // URLs as the index has them (Pagefind's default would put the
          // path of its own folder in front of them).
          return Promise.resolve(pagefind.options({ baseUrl: "/", excerptLength: 24 })).then(function () {
            return pagefind;
          });
        });
      }
      return engine;
    }
    var shown = [];
    var asked = 0;
    var more = document.createElement("button");
    more.type = "button";
    more.className = "search-more";
    more.textContent = "More results";
    more.hidden = true;
    list.parentNode.insertBefore(more, list.nextSibling);

    function query() {
      var filters = {};
      names.forEach(function (name) {
        var select = form.elements[name];
        if (select && select.value) filters[name] = select.value;
      });
      return { term: input.value.trim(), filters: filters, any: Object.keys(filters).length > 0 };
    }
    function run() {
      var q = query();
      var n = ++asked;
      var address = new URLSearchParams();
      if (q.term) address.set("q", q.term);
      Object.keys(q.filters).forEach(function (name) { address.set(name, q.filters[name]); });
      var search = address.toString();
      history.replaceState(null, "", search ? "?" + search : location.pathname);
      list.textContent = "";
      more.hidden = true;
      if (!q.term && !q.any) {
        status.textContent = "";
        return;
      }
      status.textContent = "Searching…";
      load()
        .then(function (pagefind) { return pagefind.search(q.term || null, { filters: q.filters }); })
        .then(function (found) {
          if (n !== asked || !found) return;
          shown = found.results;
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
    // Ten results at a time: each one's text is a file of its own.
    function page(from, n) {
      var next = shown.slice(from, from + 10);
      return Promise.all(next.map(function (result) { return result.data(); })).then(function (data) {
        if (n !== asked) return;
        data.forEach(function (result) { list.appendChild(item(result)); });
        more.hidden = from + 10 >= shown.length;
        more.onclick = function () { page(from + 10, n); };
      });
    }
    function item(result) {
      var li = document.createElement("li");
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = reroot(result.url);
      link.textContent = result.meta.title || result.url;
      heading.appendChild(link);
      li.appendChild(heading);
      var facts = [result.meta.date, result.meta.place, result.meta.trip].filter(Boolean);
      if (facts.length) {
        var meta = document.createElement("p");
        meta.className = "meta";
        meta.textContent = facts.join(" · ");
        li.appendChild(meta);
      }
      var excerpt = document.createElement("p");
      // Pagefind's excerpt: the indexed text, escaped, with the words found in <mark>.
      excerpt.innerHTML = result.excerpt;
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
    if (query().term || query().any) run();
  }
})();
