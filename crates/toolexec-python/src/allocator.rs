//! The extension's allocator on Linux: jemalloc, as in the `toolexec` binary.
//!
//! A batch of 10,000 calls allocates and frees its calls, envelopes and history records
//! on the engine's worker threads while the caller's thread converts requests and
//! results; glibc's malloc spent about a third of that batch's CPU (`_int_malloc`,
//! `malloc_consolidate`, `unlink_chunk`), jemalloc's per-thread caches a fraction.
//! Only the extension's own (Rust) allocations go here: Python's objects stay with
//! Python's allocator, and jemalloc's symbols are prefixed, so `malloc` is untouched.

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
