//! toolexec
