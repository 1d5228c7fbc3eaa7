//! The cargo-lambda emulator, from the workspace's shared test support.

#[allow(unused_imports)] // each test binary compiles `common`; only some start an emulator
pub(crate) use toolexec_test_support::emulator::{install_cargo_lambda, Emulator};
