//! What can go wrong, said so a traveller can act on it: I/O failures that name
//! their file, and problems in the site's own files (file, line, what is wrong,
//! how to fix it), collected so that one build reports every one of them.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// One thing wrong with the site's input, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file, relative to the site root where it is inside the site.
    pub(crate) file: Option<PathBuf>,
    /// 1-based line in `file`.
    pub(crate) line: Option<usize>,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

impl Problem {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Problem { file: None, line: None, message: message.into(), hint: None }
    }

    pub(crate) fn in_file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Problem { file: Some(file.into()), ..Problem::new(message) }
    }

    pub(crate) fn at_line(mut self, line: impl Into<Option<usize>>) -> Self {
        self.line = line.into();
        self
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{line}: ", file.display())?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            _ => {}
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}", list(.0))]
    Problems(Vec<Problem>),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        Error::Io { action, path: path.to_path_buf(), source }
    }

    /// The problems this error stands for (an I/O failure is one problem).
    pub(crate) fn problems(&self) -> Vec<Problem> {
        match self {
            Error::Problems(problems) => problems.clone(),
            other => vec![Problem::new(other.to_string())],
        }
    }
}

impl From<Problem> for Error {
    fn from(problem: Problem) -> Self {
        Error::Problems(vec![problem])
    }
}

fn list(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("error: {p}")).collect::<Vec<_>>().join("\n")
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_at(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Gathers the problems of one stage so that it can go on past the first one.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<Problem>);

impl Problems {
    pub(crate) fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    pub(crate) fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.0.extend(problems);
    }

    /// Keeps the problems of a failed step and its value otherwise.
    pub(crate) fn take<T>(&mut self, result: Result<T, Vec<Problem>>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problems) => {
                self.0.extend(problems);
                None
            }
        }
    }

    /// `Ok(value)` when nothing went wrong, else every problem, sorted by place.
    pub(crate) fn into_result<T>(mut self, value: T) -> Result<T> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            self.0.sort();
            self.0.dedup();
            Err(Error::Problems(self.0))
        }
    }
}

/// The text a person reads for a failed command: every problem, then one line
/// saying how many there were and that the output was not touched.
pub fn report(err: &Error, output_untouched: bool) -> String {
    let problems = err.problems();
    let mut text = String::new();
    for problem in &problems {
        text.push_str("error: ");
        text.push_str(&problem.to_string());
        text.push('\n');
    }
    if problems.len() > 1 {
        text.push_str(&format!("{} problems found.", problems.len()));
        if output_untouched {
            text.push_str(" Nothing was written: the previous output is as it was.");
        }
        text.push('\n');
    } else if output_untouched {
        text.push_str("Nothing was written: the previous output is as it was.\n");
    }
    text
}
