//! Test peers shared by the workspace's tests.
//!
//! [`emulator::Emulator`] runs `cargo lambda watch` on 127.0.0.1 for one package of the
//! workspace and kills its whole process tree when dropped.

pub mod emulator;
