//! The workspace's layout rule: within one crate, no two source files share a name
//! (a reader who meets `batches.rs` should know which one is meant). The one exception
//! is the backends' house pattern, where every backend folder holds the same rooms
//! (`config.rs`, `tool.rs`), as tower's middleware folders do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// File names used by more than one source file of a crate's `src`.
fn repeated_names(src: &Path, allowed: &[&str]) -> Vec<(String, Vec<PathBuf>)> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let mut by_name: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for file in files {
        let Some(name) = file.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        if ["mod.rs", "lib.rs", "main.rs"].contains(&name.as_str())
            || allowed.contains(&name.as_str())
        {
            continue;
        }
        by_name.entry(name).or_default().push(file);
    }
    by_name
        .into_iter()
        .filter(|(_, paths)| paths.len() > 1)
        .collect()
}

#[test]
fn no_two_source_files_of_one_crate_share_a_name() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut checked = 0;
    for entry in std::fs::read_dir(&crates)
        .expect("the crates folder")
        .flatten()
    {
        let krate = entry.path();
        let Some(name) = krate.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let allowed: &[&str] = if name == "toolexec-backends" {
            &["config.rs", "tool.rs"]
        } else {
            &[]
        };
        let repeated = repeated_names(&krate.join("src"), allowed);
        assert!(repeated.is_empty(), "{name}: {repeated:?}");
        checked += 1;
    }
    assert!(checked >= 10, "checked only {checked} crates");
}
