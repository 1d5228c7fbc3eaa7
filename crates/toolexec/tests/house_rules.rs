//! The engine's house rules, checked on its own source: small files, short functions
//! on the call path, and a file for every policy that a newcomer finds by its name
//! (docs/ARCHITECTURE.md).

use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 350;
const MAX_FN_LINES: usize = 80;

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the engine's source folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn engine_sources() -> Vec<PathBuf> {
    let mut found = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(found.len() > 20, "found only {} source files", found.len());
    found
}

/// Each `fn` item's length in lines, from its signature to the brace that closes it,
/// found by counting braces on lines (the engine's code is rustfmt-formatted).
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut lengths = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let code = line.trim_start();
        let is_fn = [
            "fn ",
            "pub fn ",
            "pub(crate) fn ",
            "async fn ",
            "pub async fn ",
        ]
        .iter()
        .chain(&["pub(crate) async fn "])
        .any(|prefix| code.starts_with(prefix));
        if !is_fn {
            continue;
        }
        let name = code.split("fn ").nth(1).unwrap_or("").to_owned();
        let mut depth = 0i64;
        let mut opened = false;
        for (offset, body) in lines[start..].iter().enumerate() {
            depth += body.matches('{').count() as i64 - body.matches('}').count() as i64;
            opened |= body.contains('{');
            if (opened && depth <= 0) || (!opened && body.trim_end().ends_with(';')) {
                lengths.push((name, offset + 1));
                break;
            }
        }
    }
    lengths
}

#[test]
fn no_engine_file_is_longer_than_350_lines() {
    for path in engine_sources() {
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert!(
            lines <= MAX_FILE_LINES,
            "{} has {lines} lines (at most {MAX_FILE_LINES})",
            path.display()
        );
    }
}

#[test]
fn no_engine_function_is_longer_than_80_lines() {
    for path in engine_sources() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (name, lines) in function_lengths(&text) {
            assert!(
                lines <= MAX_FN_LINES,
                "{}: fn {name} has {lines} lines (at most {MAX_FN_LINES})",
                path.display()
            );
        }
    }
}

#[test]
fn the_function_length_check_sees_a_long_function() {
    let long = format!("fn long() {{\n{}}}\n", "    step();\n".repeat(90));
    assert_eq!(function_lengths(&long), [("long() {".to_owned(), 92)]);
}

#[test]
fn every_policy_has_a_file_named_for_it() {
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/policy");
    for file in [
        "retry/mod.rs",
        "retry/rule.rs",
        "timeout.rs",
        "deadline.rs",
        "backoff.rs",
        "circuit.rs",
        "fallback.rs",
        "permits.rs",
    ] {
        assert!(policy.join(file).is_file(), "src/policy/{file} is missing");
    }
}
