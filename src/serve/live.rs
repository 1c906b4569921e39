//! What the server shares between requests and rebuilds: the last good site,
//! the problems of the last build, and the events that tell browsers to
//! reload, swap styles, or show (or clear) the problems overlay.

use std::sync::{Arc, RwLock};

use serde::Serialize;
use tokio::sync::broadcast;

use super::snapshot::Snapshot;
use crate::error::Problem;

#[derive(Debug, Clone)]
pub(super) enum Event {
    Reload,
    Css,
    Problems,
}

#[derive(Clone)]
pub(super) struct State(Arc<Inner>);

struct Inner {
    snapshot: RwLock<Arc<Snapshot>>,
    problems: RwLock<Vec<Problem>>,
    events: broadcast::Sender<Event>,
    building: tokio::sync::Mutex<()>,
    /// `/diary/` when base_url is `https://user.github.io/diary/`.
    base_path: String,
    /// Tells a browser that the server was restarted (and the page must reload).
    server_id: String,
}

/// A problem as the overlay shows it.
#[derive(Serialize)]
pub(super) struct ProblemView {
    file: Option<String>,
    line: Option<usize>,
    message: String,
    hint: Option<String>,
}

impl State {
    pub(super) fn new(snapshot: Snapshot, problems: Vec<Problem>, base_path: String) -> State {
        let (events, _) = broadcast::channel(16);
        let server_id = format!(
            "{:x}",
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos()
        );
        State(Arc::new(Inner {
            snapshot: RwLock::new(Arc::new(snapshot)),
            problems: RwLock::new(problems),
            events,
            building: tokio::sync::Mutex::new(()),
            base_path,
            server_id,
        }))
    }

    pub(super) fn snapshot(&self) -> Arc<Snapshot> {
        self.0.snapshot.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Serves `snapshot` from now on; returns how many files differ from before.
    pub(super) fn replace(&self, snapshot: Snapshot) -> usize {
        let mut current = self.0.snapshot.write().unwrap_or_else(|p| p.into_inner());
        let changed = snapshot.changed_since(&current);
        let before = std::mem::replace(&mut *current, Arc::new(snapshot));
        // Freeing a whole site's files takes a while: not while readers wait.
        drop(current);
        drop(before);
        changed
    }

    pub(super) fn problems(&self) -> Vec<ProblemView> {
        self.0
            .problems
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|p| ProblemView {
                file: p.file.as_ref().map(|f| f.display().to_string()),
                line: p.line,
                message: p.message.clone(),
                hint: p.hint.clone(),
            })
            .collect()
    }

    pub(super) fn set_problems(&self, problems: Vec<Problem>) {
        *self.0.problems.write().unwrap_or_else(|p| p.into_inner()) = problems;
        self.announce(Event::Problems);
    }

    pub(super) fn clear_problems(&self) {
        let mut problems = self.0.problems.write().unwrap_or_else(|p| p.into_inner());
        if !problems.is_empty() {
            problems.clear();
            drop(problems);
            self.announce(Event::Problems);
        }
    }

    pub(super) fn announce(&self, event: Event) {
        // No browser listening is not an error.
        let _ = self.0.events.send(event);
    }

    pub(super) fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.0.events.subscribe()
    }

    pub(super) async fn build_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.0.building.lock().await
    }

    pub(super) fn base_path(&self) -> &str {
        &self.0.base_path
    }

    pub(super) fn server_id(&self) -> &str {
        &self.0.server_id
    }
}

/// The script added to every HTML page while serving (never to `build`'s
/// output): it listens for the server's events, reloads the page or swaps
/// its styles, shows the problems of a broken build over the page, and
/// reloads when a restarted server comes back.
pub(super) const RELOAD_SCRIPT: &str = r##"<script id="milepost-live">
(function () {
  var key = "milepost-server";
  var overlay = null;
  function show(problems) {
    if (overlay) { overlay.remove(); overlay = null; }
    if (!problems.length) return;
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,16,14,.94);color:#f5efe6;font:15px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem";
    var title = document.createElement("h2");
    title.textContent = problems.length === 1 ? "The site has a problem" : "The site has " + problems.length + " problems";
    title.style.cssText = "font:600 1.3rem system-ui,sans-serif;margin:0 0 1rem;color:#ff9b7a";
    overlay.appendChild(title);
    problems.forEach(function (p) {
      var item = document.createElement("div");
      item.style.cssText = "margin:0 0 1.25rem;padding:0 0 1rem;border-bottom:1px solid #4a3f38";
      var where = document.createElement("div");
      where.style.color = "#ffd27a";
      where.textContent = (p.file || "") + (p.line ? ":" + p.line : "");
      var message = document.createElement("div");
      message.textContent = p.message;
      item.appendChild(where);
      item.appendChild(message);
      if (p.hint) {
        var hint = document.createElement("div");
        hint.style.color = "#a8d8a0";
        hint.textContent = "hint: " + p.hint;
        item.appendChild(hint);
      }
      overlay.appendChild(item);
    });
    var note = document.createElement("p");
    note.style.cssText = "font-family:system-ui,sans-serif;color:#bbb";
    note.textContent = "The page below is the last good version. Fix the file and save: this goes away by itself.";
    overlay.appendChild(note);
    document.body.appendChild(overlay);
  }
  var events = new EventSource("/__milepost/events");
  events.addEventListener("hello", function (e) {
    var data = JSON.parse(e.data);
    var seen = sessionStorage.getItem(key);
    sessionStorage.setItem(key, data.server);
    if (seen && seen !== data.server) { location.reload(); return; }
    show(data.problems);
  });
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("problems", function (e) { show(JSON.parse(e.data)); });
  events.addEventListener("css", function () {
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href);
      url.searchParams.set("milepost", Date.now());
      link.href = url.href;
    });
  });
})();
</script>
"##;
