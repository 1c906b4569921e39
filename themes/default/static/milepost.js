// milepost's default theme on every page: links that work from disk, and the
// lightbox. No third-party code. The search page has its own, search.js.
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
})();
