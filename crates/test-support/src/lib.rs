//! Test peers shared by the workspace's tests.
//!
//! - [`emulator::Emulator`] runs `cargo lambda watch` on 127.0.0.1 for one package of
//!   the workspace and kills its whole process tree when dropped.
//! - [`otlp::OtlpReceiver`] receives OpenTelemetry traces and metrics over OTLP/HTTP
//!   on 127.0.0.1.
//! - [`cargo_bin::workspace_binary`] builds another package's binary for a test.

pub mod cargo_bin;
pub mod emulator;
pub mod otlp;
