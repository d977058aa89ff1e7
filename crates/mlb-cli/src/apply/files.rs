//! Temporary files and directories that clean up after themselves, and
//! the fsync calls that make a rename durable.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process;
use std::sync::atomic::{AtomicU64, Ordering};

/// A name part no other live process and no earlier call in this process
/// uses, so that concurrent runs never write to the same temporary file.
pub(crate) fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}-{n}", process::id())
}

/// A file this process created and removes again when dropped, unless it
/// was moved into place with [`TempFile::persist`].
#[derive(Debug)]
pub(crate) struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl TempFile {
    /// Creates `path` (which must not exist yet), writes `content` and
    /// syncs it to disk. With `mode_from`, the new file takes the
    /// permissions of that file when it exists, so a config readable only
    /// by HAProxy's group stays that way after the update.
    pub(crate) fn create(
        path: PathBuf,
        content: &str,
        mode_from: Option<&Path>,
    ) -> io::Result<Self> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;

        // From here on the file exists, so the guard owns it even if a
        // later step fails.
        let guard = TempFile { path, armed: true };

        file.write_all(content.as_bytes())?;
        if let Some(from) = mode_from {
            match fs::metadata(from) {
                Ok(meta) => file.set_permissions(meta.permissions())?,
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(err),
            }
        }
        file.sync_all()?;
        Ok(guard)
    }

    /// Creates `path` with `content` without syncing it: for files that
    /// only HAProxy's check reads and that never become live.
    pub(crate) fn scratch(path: PathBuf, content: &str) -> io::Result<Self> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        let guard = TempFile { path, armed: true };
        file.write_all(content.as_bytes())?;
        Ok(guard)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file to `target`, after which it is no longer removed.
    pub(crate) fn persist(mut self, target: &Path) -> io::Result<()> {
        fs::rename(&self.path, target)?;
        self.armed = false;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            // Nothing useful can be done about a failure here: the file is
            // a hidden, uniquely named leftover that harms no one.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// A private directory under the system temporary directory, removed with
/// everything in it when dropped.
#[derive(Debug)]
pub(crate) struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub(crate) fn new() -> io::Result<Self> {
        let path = std::env::temp_dir().join(format!("mlb-check-{}", unique_suffix()));
        fs::create_dir(&path)?;
        Ok(TempDir { path })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // As for TempFile: a leftover in the temporary directory is
        // harmless, and a destructor has no one to report to.
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Makes the renames done in `dir` durable: a rename is only safe across a
/// power loss once the directory entry itself has reached the disk.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The file's content, or `None` when it does not exist.
pub(crate) fn read_if_exists(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_file_is_removed_unless_persisted() {
        let dir = TempDir::new().unwrap();
        let dropped = TempFile::create(dir.path().join("a"), "x", None).unwrap();
        let dropped_path = dropped.path().to_owned();
        drop(dropped);
        assert!(!dropped_path.exists());

        let kept = TempFile::create(dir.path().join("b"), "y", None).unwrap();
        kept.persist(&dir.path().join("c")).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("c")).unwrap(), "y");
        assert!(!dir.path().join("b").exists());
    }

    #[test]
    fn temp_file_takes_the_mode_of_the_file_it_replaces() {
        use std::os::unix::fs::PermissionsExt;

        let dir = TempDir::new().unwrap();
        let live = dir.path().join("live");
        fs::write(&live, "old").unwrap();
        fs::set_permissions(&live, fs::Permissions::from_mode(0o640)).unwrap();

        let new = TempFile::create(dir.path().join("new"), "new", Some(&live)).unwrap();
        let mode = fs::metadata(new.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[test]
    fn temp_dir_is_removed_with_its_content() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().to_owned();
        fs::write(path.join("f"), "x").unwrap();
        drop(dir);
        assert!(!path.exists());
    }
}
