//! The library behind the `toolexec` binary: configuration loading and the commands.

pub mod config;
