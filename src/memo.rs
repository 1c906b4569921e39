//! What a long-lived session (`serve`) keeps between builds, so that a
//! rebuild renders again only the pages whose template or inputs changed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A rendered page and the hash of what it was rendered from.
type Rendered = (u64, Arc<Vec<u8>>);

#[derive(Default)]
pub struct Memo {
    /// By output path.
    pages: Mutex<HashMap<String, Rendered>>,
}

impl Memo {
    pub fn clear(&self) {
        self.pages.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// The page rendered last time from the same `key`, if any.
    pub fn page(&self, path: &str, key: u64) -> Option<Arc<Vec<u8>>> {
        let pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        pages.get(path).filter(|(k, _)| *k == key).map(|(_, bytes)| bytes.clone())
    }

    pub fn keep(&self, path: &str, key: u64, bytes: Arc<Vec<u8>>) {
        self.pages.lock().unwrap_or_else(|p| p.into_inner()).insert(path.to_string(), (key, bytes));
    }
}
