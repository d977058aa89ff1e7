//! Keeping the last few live versions of a file as `<file>.1` (newest) to
//! `<file>.<n>` (oldest).
//!
//! Numbered names rather than timestamps: they are deterministic, sort the
//! same way for every operator, and the number of files can never exceed
//! the configured count. Rolling back one step is `cp haproxy.cfg.1
//! haproxy.cfg`, and `<map>.1` belongs with `<config>.1` because every
//! file of an update is rotated together.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Where [`apply`](super::apply) keeps the `generation`-th previous
/// version of the live file `path`: `<path>.<generation>`, 1 being the
/// newest.
#[must_use]
pub fn archive_path(path: &Path, generation: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{generation}"));
    PathBuf::from(name)
}

/// Shifts `<path>.1 .. <path>.<keep - 1>` up by one, dropping the oldest,
/// and copies the current version of `path` to `<path>.1`.
///
/// A copy, not a hard link: a link would share its content with the live
/// file until the new version is renamed over it, so anything writing the
/// live file in place in between (or after a failed rename) would rewrite
/// the archive too. The copy costs one write of a file of a few megabytes
/// per applied update. When `path` does not exist yet, `<path>.1` is left
/// absent so that the numbers of all files of one update still line up.
pub(crate) fn rotate(path: &Path, keep: usize) -> io::Result<()> {
    if keep == 0 {
        return Ok(());
    }

    for generation in (1..keep).rev() {
        match fs::rename(
            archive_path(path, generation),
            archive_path(path, generation + 1),
        ) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }

    let newest = archive_path(path, 1);
    match fs::remove_file(&newest) {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    match fs::copy(path, &newest) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::files::TempDir;

    fn read(path: &Path) -> Option<String> {
        fs::read_to_string(path).ok()
    }

    #[test]
    fn rotation_keeps_the_newest_versions_numbered_from_one() {
        let dir = TempDir::new().unwrap();
        let live = dir.path().join("haproxy.cfg");
        for version in 1..=4 {
            rotate(&live, 2).unwrap();
            fs::write(&live, format!("v{version}")).unwrap();
        }

        assert_eq!(read(&live).as_deref(), Some("v4"));
        assert_eq!(read(&archive_path(&live, 1)).as_deref(), Some("v3"));
        assert_eq!(read(&archive_path(&live, 2)).as_deref(), Some("v2"));
        assert_eq!(read(&archive_path(&live, 3)), None);
    }

    #[test]
    fn archived_version_survives_a_rename_over_the_live_file() {
        let dir = TempDir::new().unwrap();
        let live = dir.path().join("haproxy.cfg");
        fs::write(&live, "old").unwrap();
        rotate(&live, 1).unwrap();

        let new = dir.path().join("new");
        fs::write(&new, "new").unwrap();
        fs::rename(&new, &live).unwrap();

        assert_eq!(read(&archive_path(&live, 1)).as_deref(), Some("old"));
        assert_eq!(read(&live).as_deref(), Some("new"));
    }

    #[test]
    fn a_file_that_did_not_exist_leaves_a_gap_at_generation_one() {
        let dir = TempDir::new().unwrap();
        let map = dir.path().join("app2backend.map");
        fs::write(archive_path(&map, 1), "stale").unwrap();

        rotate(&map, 3).unwrap();

        assert_eq!(read(&archive_path(&map, 1)), None);
        assert_eq!(read(&archive_path(&map, 2)).as_deref(), Some("stale"));
    }

    #[test]
    fn keeping_zero_versions_touches_nothing() {
        let dir = TempDir::new().unwrap();
        let live = dir.path().join("haproxy.cfg");
        fs::write(&live, "v").unwrap();
        rotate(&live, 0).unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
