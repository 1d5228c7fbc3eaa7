//! The repository owns its documents: no tracked file cites a document kept outside the
//! repository or names a path of the machine it was written on, and docs/CONTRACTS.md
//! lists every command and flag of the `toolexec` binary, every route of the HTTP API,
//! every call status and every supply-chain tool.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root, two levels above this crate.
fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// The repository's files: those git tracks, or, where git or the `.git` directory is
/// missing (a source archive), every file outside `target/` and `.git/`.
fn repository_files(root: &Path) -> Vec<PathBuf> {
    let listed = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "-z"])
        .output()
        .ok()
        .filter(|out| out.status.success());
    match listed {
        Some(out) => out
            .stdout
            .split(|b| *b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| root.join(String::from_utf8_lossy(name).as_ref()))
            .collect(),
        None => {
            let mut files = Vec::new();
            walk(root, &mut files);
            files
        }
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("a readable directory")
        .flatten()
    {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => walk(&path, files),
            Ok(kind) if kind.is_file() => files.push(path),
            _ => {}
        }
    }
}

/// What no file may contain: the names of the design, benchmark and style documents that
/// live outside the repository, and absolute paths of the machine. Built from parts, so
/// that this file does not contain them itself.
fn forbidden() -> Vec<String> {
    let documents = ["DESIGN", "BENCH", "STYLE"].map(|name| format!("{name}.md"));
    let paths = ["work", "root"].map(|dir| format!("/{dir}/"));
    documents.into_iter().chain(paths).collect()
}

#[test]
fn no_file_cites_an_outside_document_or_a_machine_path() {
    let root = repository_root();
    let needles = forbidden();
    let files = repository_files(&root);
    assert!(
        files.iter().any(|f| f.ends_with("README.md")),
        "the file list holds the README: {} files",
        files.len()
    );
    let mut offences = Vec::new();
    for file in &files {
        // A file listed by git but deleted in the working tree has nothing to check.
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        if bytes.contains(&0) {
            continue; // binary
        }
        let text = String::from_utf8_lossy(&bytes);
        let shown = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        for (number, line) in text.lines().enumerate() {
            for needle in &needles {
                if line.contains(needle.as_str()) {
                    offences.push(format!("{shown}:{}: {needle}", number + 1));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "files citing a document outside the repository or a machine path (point at \
         docs/CONTRACTS.md, docs/ARCHITECTURE.md or BENCHMARKS.md instead):\n{}",
        offences.join("\n")
    );
}

/// docs/CONTRACTS.md.
fn contracts() -> String {
    let path = repository_root().join("docs/CONTRACTS.md");
    std::fs::read_to_string(&path).expect("docs/CONTRACTS.md exists")
}

/// `toolexec ARGS --help`.
fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_toolexec"))
        .args(args)
        .arg("--help")
        .output()
        .expect("run toolexec --help");
    assert!(out.status.success(), "toolexec {args:?} --help failed");
    String::from_utf8(out.stdout).expect("UTF-8 help")
}

/// The lines of a help section (`Commands:`, `Options:`): those after its title, up to
/// the next title (a line that is not indented). Long help puts blank lines between
/// entries, so a blank line does not end a section.
fn section<'a>(help: &'a str, title: &str) -> Vec<&'a str> {
    help.lines()
        .skip_while(|line| line.trim_end() != title)
        .skip(1)
        .take_while(|line| line.trim().is_empty() || indent(line) > 0)
        .collect()
}

/// The indentation of a line.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The subcommands a help text lists, without clap's own `help`. A command's line is
/// indented by two spaces; a wrapped description, deeper.
fn subcommands(help: &str) -> Vec<String> {
    section(help, "Commands:")
        .into_iter()
        .filter(|line| indent(line) == 2)
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// The long flags a help text lists, without `--help` and `--version`. An option's line
/// starts with its flags, indented by at most six spaces; a wrapped description, deeper.
fn long_flags(help: &str) -> Vec<String> {
    section(help, "Options:")
        .into_iter()
        .filter(|line| indent(line) <= 6 && line.trim_start().starts_with('-'))
        .filter_map(|line| {
            line.split_whitespace()
                .find(|word| word.starts_with("--"))
                .map(|word| word.trim_end_matches(',').to_owned())
        })
        .filter(|flag| flag != "--help" && flag != "--version")
        .collect()
}

/// Whether `doc` names `flag` in code (`` `--json` ``, `` `--planner rules|llm` ``), not
/// merely a longer flag that starts the same.
fn mentions_flag(doc: &str, flag: &str) -> bool {
    let quoted = format!("`{flag}");
    doc.match_indices(&quoted).any(|(at, _)| {
        doc[at + quoted.len()..]
            .chars()
            .next()
            .is_some_and(|next| matches!(next, '`' | ' ' | ','))
    })
}

/// Every command path of the binary (`ask`, `config check`, ...) with its help text.
fn commands() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut pending: Vec<Vec<String>> = subcommands(&help(&[]))
        .into_iter()
        .map(|name| vec![name])
        .collect();
    while let Some(path) = pending.pop() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let text = help(&args);
        let nested = subcommands(&text);
        if nested.is_empty() {
            found.push((path.join(" "), text));
        } else {
            pending.extend(nested.into_iter().map(|name| {
                let mut deeper = path.clone();
                deeper.push(name);
                deeper
            }));
        }
    }
    found.sort();
    found
}

#[test]
fn contracts_list_every_command_and_flag_of_the_cli() {
    let doc = contracts();
    let commands = commands();
    assert!(
        commands.len() >= 8,
        "the binary's commands were found: {commands:?}"
    );
    let mut missing = Vec::new();
    let mut flags_seen = 0;
    for (command, text) in &commands {
        if !doc.contains(&format!("### `toolexec {command}")) {
            missing.push(format!(
                "the command `toolexec {command}` (a `### ` heading)"
            ));
        }
        for flag in long_flags(text) {
            flags_seen += 1;
            if !mentions_flag(&doc, &flag) {
                missing.push(format!("`{flag}` of `toolexec {command}`"));
            }
        }
    }
    assert!(
        flags_seen >= 30,
        "the commands' flags were found: {flags_seen}"
    );
    assert!(
        missing.is_empty(),
        "docs/CONTRACTS.md does not document:\n{}",
        missing.join("\n")
    );
}

#[test]
fn contracts_list_every_route_of_the_openapi_document() {
    let doc = contracts();
    let openapi = serde_json::to_value(toolexec_server::openapi()).expect("OpenAPI as JSON");
    let paths = openapi["paths"]
        .as_object()
        .expect("the document has paths");
    let methods = [
        "get", "post", "put", "patch", "delete", "head", "options", "trace",
    ];
    let mut routes = Vec::new();
    for (path, item) in paths {
        for method in methods {
            if item.get(method).is_some() {
                routes.push(format!("`{} {path}`", method.to_uppercase()));
            }
        }
    }
    assert!(routes.len() >= 9, "the routes were found: {routes:?}");
    let missing: Vec<&String> = routes
        .iter()
        .filter(|r| !doc.contains(r.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/CONTRACTS.md does not document the routes {missing:?}"
    );
}

#[test]
fn contracts_list_every_call_status_and_supply_chain_tool() {
    let doc = contracts();
    let live = [
        toolexec::CallStatus::Pending,
        toolexec::CallStatus::Running,
        toolexec::CallStatus::Retrying,
    ];
    for status in live.into_iter().chain(toolexec::CallStatus::FINAL) {
        assert!(
            doc.contains(&format!("| `{status}` |")),
            "the status `{status}` has no row in docs/CONTRACTS.md"
        );
    }
    let tools = supply_chain::tools::definitions();
    assert_eq!(tools.len(), 13);
    for tool in tools {
        assert!(
            doc.contains(&format!("**`{}`**", tool.name)),
            "the tool `{}` has no entry in docs/CONTRACTS.md",
            tool.name
        );
    }
}
