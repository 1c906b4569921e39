// milepost's default theme. Opened straight from disk (file://), a browser does
// not turn a folder into its index.html, so folder links get it added here.
(function () {
  if (location.protocol !== "file:") return;
  document.querySelectorAll("a[href]").forEach(function (a) {
    if (a.protocol === "file:" && a.pathname.slice(-1) === "/") {
      a.pathname += "index.html";
    }
  });
})();
