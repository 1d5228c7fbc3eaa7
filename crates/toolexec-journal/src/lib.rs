//! A durable journal of toolexec batches and calls in one SQLite file.
//!
//! The engine hands the journal [`JournalRecord`]s — a batch accepted, a call started,
//! a call ended with its envelope, a batch ended — and the journal answers what
//! recovery, listings, history and statistics need after a restart. The store keeps
//! inputs, overrides and envelopes as JSON text, stored and returned byte for byte,
//! and statuses as strings; the one engine type it takes is the envelope itself
//! ([`JournalRecord::EnvelopeEnded`]), which the writer serializes (`serde_json`, the
//! bytes the engine's callers get) so that the call path does not. [`EngineJournal`] is the one
//! place that speaks the engine's language: it implements [`toolexec::Journal`] over
//! the store, and [`redrive`] plans a redrive against the tools registered now.
//!
//! ```
//! use std::time::Duration;
//! use toolexec_journal::{AcceptedCall, JournalConfig, JournalRecord, SqliteJournal};
//!
//! let dir = tempfile::tempdir()?;
//! let journal = SqliteJournal::open(dir.path().join("journal.db"), JournalConfig::default())?;
//! journal.record(JournalRecord::BatchAccepted {
//!     batch_id: "b-1".into(),
//!     accepted_at_ms: 1_000,
//!     redrive_of: None,
//!     calls: vec![AcceptedCall {
//!         index: 0,
//!         call_id: "c-1".into(),
//!         tool: "echo".into(),
//!         input_json: r#"{"text":"hi"}"#.into(),
//!         idempotency_key: None,
//!         overrides_json: None,
//!     }]
//!     .into(),
//! });
//! journal.flush(Duration::from_secs(5))?;
//! assert_eq!(journal.next_batch_number()?, 2);
//! let batch = journal.batch("b-1")?.expect("stored");
//! assert_eq!(batch.calls[0].input_json, r#"{"text":"hi"}"#);
//! journal.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Writing
//!
//! [`SqliteJournal::record`] never blocks: it puts the record on a bounded queue
//! ([`JournalConfig::queue_capacity`]); when the queue is full the record is dropped
//! and counted. One writer thread owns the write connection; it takes everything queued
//! (up to [`JournalConfig::max_group`] records), and, while records keep coming, looks
//! again every millisecond (at most 10 ms) until a look finds nothing new, a flush
//! waits or the group is full; it merges the group — a call accepted in the
//! group is one row in `calls` carrying its start, plus one row in `ends` when it
//! ended in the group too; a call accepted earlier gets one row in `ends` (with its
//! start, when that is in the group too), or, when only its start is in the group, one
//! row in `starts` — and commits it in one transaction, its starts and ends in key
//! order and 16 rows per statement. Rows are never rewritten, so no page is split to
//! make room in a row. A group that fails (disk full, I/O error, read-only file) is rolled
//! back and its records are counted as lost; the writer keeps going with the next
//! group. [`SqliteJournal::health`] tells which.
//!
//! # Durability
//!
//! - A record is committed when the group holding it commits; [`SqliteJournal::flush`]
//!   waits for that.
//! - A process crash loses the records still queued, and at most the one group being
//!   written (its transaction is rolled back); everything committed survives.
//! - The file is in WAL mode with `synchronous=NORMAL`: a power loss or OS crash may
//!   also lose the last committed transactions (never corrupt the file); a process
//!   crash loses none of them.
//! - [`SqliteJournal::close`] commits everything queued and joins the writer;
//!   dropping the journal lets the writer drain the queue, waiting at most 2 s.
//! - Records refused as inconsistent (an end for an unknown batch or call, a second
//!   start or end of a call committed in an earlier group, a batch id already stored)
//!   are counted as dropped, like lost ones; the first start or end is kept.
//! - After a crash, [`SqliteJournal::recover`] ends every call and batch left open.
//!
//! # Retention
//!
//! Every [`JournalConfig::retention_interval`] the writer deletes ended batches (with
//! their calls) that ended more than [`JournalConfig::max_age`] ago, then the
//! oldest-ended while the live pages (`(page_count - freelist_count) * page_size`) use
//! more than [`JournalConfig::max_bytes`]; then it runs `PRAGMA incremental_vacuum` and
//! `wal_checkpoint(TRUNCATE)` so the file shrinks. Running batches are never deleted.
//! A pass deletes about 20,000 calls at most, so it holds the writer up only briefly;
//! when more is due the next pass runs right after the next group.
//! [`SqliteJournal::retain_now`] runs passes until nothing more is due.
//! The `b-N` high-water mark lives in the meta table, so deleting batches never
//! lowers [`SqliteJournal::next_batch_number`].
//!
//! # Schema (version 3, in `PRAGMA user_version`)
//!
//! 8 KiB pages, `auto_vacuum=INCREMENTAL`, WAL mode; the writer checkpoints every
//! 4,096 pages.
//!
//! ```sql
//! CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
//!   -- 'batch_high_water': the largest N of the b-N batch ids ever accepted
//! CREATE TABLE batches (
//!     seq INTEGER PRIMARY KEY,         -- order of acceptance
//!     id TEXT NOT NULL UNIQUE, accepted_at_ms INTEGER NOT NULL, ended_at_ms INTEGER,
//!     interrupted INTEGER NOT NULL DEFAULT 0, redrive_of TEXT, call_count INTEGER NOT NULL);
//! CREATE INDEX batches_by_end ON batches (ended_at_ms);       -- retention, recovery
//! CREATE TABLE calls (                -- a call as accepted
//!     key INTEGER PRIMARY KEY,         -- (batch seq << 32) | call index
//!     call_id TEXT NOT NULL, tool TEXT NOT NULL, input_json TEXT NOT NULL,
//!     idempotency_key TEXT, overrides_json TEXT, started_at_ms INTEGER);
//! CREATE TABLE ends (                 -- a call's end, written once
//!     key INTEGER PRIMARY KEY,         -- the call's key
//!     tool TEXT NOT NULL, started_at_ms INTEGER, status TEXT NOT NULL, error_kind TEXT,
//!     attempts INTEGER NOT NULL, latency_ms REAL NOT NULL, ended_at_ms INTEGER NOT NULL,
//!     fallback INTEGER NOT NULL, envelope_json TEXT NOT NULL);
//! CREATE INDEX ends_by_end ON ends (ended_at_ms);             -- history, statistics
//! CREATE TABLE starts (               -- a start committed before its call's end
//!     key INTEGER PRIMARY KEY, started_at_ms INTEGER NOT NULL);
//! ```
//!
//! Times are Unix milliseconds. A call's row key puts the calls of a batch in one
//! contiguous range, so a batch's calls are read and deleted with a range scan. A call's
//! start is in `calls.started_at_ms` when it came in its acceptance's group, in
//! `starts` when it came in a later group before its end, else in `ends.started_at_ms`.
//! Version 1 kept the end in the `calls` row; opening a version-1 file moves its ends
//! into `ends` once, in the migration's transaction. Version 2 updated `calls` with a
//! start that came in a later group (growing rows in full pages); opening a version-2
//! file adds `starts` and leaves its starts in `calls`, where they are read as before.

#![forbid(unsafe_code)]

mod accepted;
mod config;
mod engine;
mod error;
mod estimate;
mod health;
mod journal;
mod lock;
mod read;
mod record;
mod recover;
pub mod redrive;
mod retention;
mod schema;
mod writer;

pub use accepted::{AcceptedCallRef, AcceptedCalls};
pub use config::JournalConfig;
pub use engine::EngineJournal;
pub use error::JournalError;
pub use health::{HealthState, JournalHealth};
pub use journal::SqliteJournal;
pub use read::{
    BatchDetail, BatchSummary, CallDetail, HistoryQuery, HistoryRow, ToolTotals, LATENCY_WINDOW,
};
pub use record::{AcceptedCall, JournalRecord};
pub use recover::{RecoveryReport, INTERRUPTED};
