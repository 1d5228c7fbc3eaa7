//! The library behind the `toolexec` binary: configuration loading, executor assembly,
//! batch files, progress display, and one module per command.

pub mod assemble;
pub mod batch_file;
pub mod commands;
pub mod config;
pub mod journal;
pub mod lambda_tools;
pub mod output;
pub mod progress;
pub mod stop_signals;
