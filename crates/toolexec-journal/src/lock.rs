//! The journal's writer lock: one process writes a journal at a time.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::JournalError;

/// An exclusive advisory lock on the journal's `PATH-lock` file, held while the value
/// lives. The operating system releases it when the process ends, even when killed,
/// so a crashed writer never leaves the journal locked.
#[derive(Debug)]
pub(crate) struct WriterLock {
    _file: File,
}

impl WriterLock {
    /// Takes the lock of the journal at `journal`, or says who holds it.
    pub(crate) fn take(journal: &Path) -> Result<Self, JournalError> {
        let path = lock_path(journal);
        let lock_error = |source| JournalError::Lock {
            path: path.clone(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(lock_error)?;
        match lock_exclusive(&file) {
            Ok(true) => Ok(Self { _file: file }),
            Ok(false) => Err(JournalError::InUse {
                path: journal.to_owned(),
            }),
            Err(source) => Err(lock_error(source)),
        }
    }
}

/// Takes an exclusive `flock` on `file` without waiting: `false` when another open
/// file holds it.
#[cfg(unix)]
fn lock_exclusive(file: &File) -> std::io::Result<bool> {
    use rustix::fs::{flock, FlockOperation};
    match flock(file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
        Err(errno) => Err(errno.into()),
    }
}

/// Elsewhere the journal is not locked: one writer at a time is the user's to keep.
#[cfg(not(unix))]
fn lock_exclusive(_file: &File) -> std::io::Result<bool> {
    Ok(true)
}

/// `journal` with `-lock` appended to its file name, beside SQLite's `-wal` and `-shm`.
fn lock_path(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push("-lock");
    PathBuf::from(name)
}
