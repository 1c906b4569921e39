//! A fixture site in a temporary folder, and the real `milepost` binary run on it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use walkdir::WalkDir;

pub struct Fixture {
    dir: tempfile::TempDir,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the run failed as a person should see it: a non-zero exit and no panic.
    #[track_caller]
    pub fn failed(&self) -> &str {
        assert!(!self.success, "expected a failure, got success:\n{}", self.stdout);
        assert_eq!(self.code, Some(1), "exit code; stderr:\n{}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "panicked:\n{}", self.stderr);
        &self.stderr
    }

    #[track_caller]
    pub fn succeeded(&self) -> &str {
        assert!(self.success, "expected success, stderr:\n{}", self.stderr);
        &self.stdout
    }
}

impl Fixture {
    /// A copy of `tests/fixtures/<name>` to build in.
    pub fn copy(name: &str) -> Fixture {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        assert!(from.is_dir(), "no fixture {}", from.display());
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&from, dir.path());
        Fixture { dir }
    }

    /// An empty folder to write a site into.
    pub fn empty() -> Fixture {
        Fixture { dir: tempfile::tempdir().unwrap() }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        let path = self.path(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// Runs `milepost ARGS --site <fixture>` from inside the fixture.
    pub fn milepost(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_milepost"))
            .args(args)
            .current_dir(self.root())
            .output()
            .expect("run milepost");
        Run {
            success: out.status.success(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs milepost like `milepost`, and also returns its peak resident
    /// memory in bytes, as the program read it from the kernel at its end
    /// (`MILEPOST_TIMINGS`): a parent's `wait4` would count the test
    /// process's own memory, which the child had before it started.
    #[cfg(target_os = "linux")]
    pub fn milepost_measured(&self, args: &[&str]) -> (Run, u64) {
        let out = Command::new(env!("CARGO_BIN_EXE_milepost"))
            .args(args)
            .current_dir(self.root())
            .env("MILEPOST_TIMINGS", "1")
            .output()
            .expect("run milepost");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let peak_kib: u64 = stderr
            .lines()
            .find_map(|line| line.trim().strip_prefix("peak ")?.trim().strip_suffix(" KiB")?.parse().ok())
            .unwrap_or_else(|| panic!("no peak memory in the timings:\n{stderr}"));
        let run = Run {
            success: out.status.success(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
        };
        (run, peak_kib * 1024)
    }

    /// Every file below `rel` with its bytes, by path relative to `rel`.
    pub fn files(&self, rel: &str) -> BTreeMap<String, Vec<u8>> {
        tree(&self.path(rel))
    }

    pub fn site(&self) -> milepost::Site {
        milepost::Site::open(Some(self.root())).expect("open the fixture site")
    }
}

/// Every file below `dir` with its bytes, by `/`-separated relative path.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}
