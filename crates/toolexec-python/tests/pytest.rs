//! Runs the Python test suite (`tests/python`) with the pytest of the virtual
//! environment `scripts/setup/python.sh` makes (`target/py-venv`, holding the wheel
//! built from this crate), and fails when pytest fails.
//!
//! Without that environment the test is skipped, unless `TOOLEXEC_REQUIRE_PYTHON=1`
//! (set by `scripts/test.sh`), where it fails. The Lambda test of the suite runs
//! against the cargo-lambda emulator on 127.0.0.1, started here for the workspace's
//! `lambda-fixture` function; `TOOLEXEC_SKIP_LAMBDA_EMULATOR=1` skips that part.

use std::path::PathBuf;
use std::process::Command;

use toolexec_test_support::emulator::{install_cargo_lambda, workspace_root, Emulator};

fn venv_python(root: &std::path::Path) -> PathBuf {
    root.join("target/py-venv/bin/python")
}

#[test]
fn the_python_suite_passes_under_pytest() {
    let root = workspace_root();
    let python = venv_python(&root);
    let required = std::env::var("TOOLEXEC_REQUIRE_PYTHON").is_ok_and(|v| v == "1");
    let installed = python.exists()
        && Command::new(&python)
            .args(["-c", "import toolexec, pytest, pytest_asyncio"])
            .status()
            .is_ok_and(|s| s.success());
    if !installed {
        assert!(
            !required,
            "TOOLEXEC_REQUIRE_PYTHON=1 but {} has no toolexec wheel and pytest: run scripts/setup/python.sh",
            python.display()
        );
        eprintln!("skipped: no target/py-venv with the toolexec wheel (scripts/setup/python.sh)");
        return;
    }

    let scratch = root.join("target/py-test");
    std::fs::create_dir_all(&scratch).expect("a scratch directory");
    let emulator = if std::env::var_os("TOOLEXEC_SKIP_LAMBDA_EMULATOR").is_some() {
        eprintln!("the Lambda test is skipped: TOOLEXEC_SKIP_LAMBDA_EMULATOR is set");
        None
    } else {
        install_cargo_lambda().expect("cargo-lambda is installed");
        Some(Emulator::start(
            "crates/lambda-fixture/Cargo.toml",
            &[],
            scratch.join("emulator.log"),
        ))
    };

    let mut pytest = Command::new(&python);
    pytest
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(root.join("crates/toolexec-python/tests/python"))
        .current_dir(root.join("crates/toolexec-python"))
        .env("PYTHONDONTWRITEBYTECODE", "1");
    if let Some(emulator) = &emulator {
        pytest.env("TOOLEXEC_LAMBDA_ENDPOINT", &emulator.endpoint);
    }
    let status = pytest.status().expect("pytest starts");
    let log = emulator.as_ref().map(|e| e.log_tail()).unwrap_or_default();
    drop(emulator);
    assert!(
        status.success(),
        "pytest failed ({status}); emulator log tail:\n{log}"
    );
}
