//! Opening a connection to the journal file and creating or migrating its schema.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::JournalError;

/// The schema version this build writes (`PRAGMA user_version`).
pub(crate) const SCHEMA_VERSION: u32 = 3;

/// The meta key holding the largest `N` of the `b-N` batch ids ever accepted.
pub(crate) const BATCH_HIGH_WATER: &str = "batch_high_water";

/// Version 3, created in a new file. No row is ever rewritten: a call has its row in
/// `calls` when it is accepted, a row in `starts` when its start comes in a group after
/// its acceptance and before its end, and its row in `ends` when it ends (with its
/// start, when that came in the same group). Each table takes its rows in key order,
/// at the right edge of its B-tree, and no row grows after it is written: version 1
/// stored the end in the accepted row, which then grew by its envelope, and version 2
/// the start, which grew rows of pages already full and split them.
const SCHEMA_V3: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('batch_high_water', 0);
CREATE TABLE batches (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    accepted_at_ms INTEGER NOT NULL,
    ended_at_ms    INTEGER,
    interrupted    INTEGER NOT NULL DEFAULT 0,
    redrive_of     TEXT,
    call_count     INTEGER NOT NULL
);
CREATE INDEX batches_by_end ON batches (ended_at_ms);
CREATE TABLE calls (
    key             INTEGER PRIMARY KEY,
    call_id         TEXT NOT NULL,
    tool            TEXT NOT NULL,
    input_json      TEXT NOT NULL,
    idempotency_key TEXT,
    overrides_json  TEXT,
    started_at_ms   INTEGER
);
CREATE TABLE ends (
    key           INTEGER PRIMARY KEY,
    tool          TEXT NOT NULL,
    started_at_ms INTEGER,
    status        TEXT NOT NULL,
    error_kind    TEXT,
    attempts      INTEGER NOT NULL,
    latency_ms    REAL NOT NULL,
    ended_at_ms   INTEGER NOT NULL,
    fallback      INTEGER NOT NULL,
    envelope_json TEXT NOT NULL
);
CREATE INDEX ends_by_end ON ends (ended_at_ms);
CREATE TABLE starts (
    key           INTEGER PRIMARY KEY,
    started_at_ms INTEGER NOT NULL
);
";

/// Version 2 to 3: starts that come after their call's acceptance get a table of their
/// own. The starts version 2 stored in `calls` stay there and are read as before.
const MIGRATE_V2_TO_V3: &str = "
CREATE TABLE starts (
    key           INTEGER PRIMARY KEY,
    started_at_ms INTEGER NOT NULL
);
";

/// Version 1 to 2: the ends move out of `calls` into `ends`.
const MIGRATE_V1_TO_V2: &str = "
CREATE TABLE ends (
    key           INTEGER PRIMARY KEY,
    tool          TEXT NOT NULL,
    started_at_ms INTEGER,
    status        TEXT NOT NULL,
    error_kind    TEXT,
    attempts      INTEGER NOT NULL,
    latency_ms    REAL NOT NULL,
    ended_at_ms   INTEGER NOT NULL,
    fallback      INTEGER NOT NULL,
    envelope_json TEXT NOT NULL
);
INSERT INTO ends (key, tool, started_at_ms, status, error_kind, attempts, latency_ms,
                  ended_at_ms, fallback, envelope_json)
    SELECT key, tool, started_at_ms, status, error_kind, coalesce(attempts, 0),
           coalesce(latency_ms, 0), ended_at_ms, coalesce(fallback, 0),
           coalesce(envelope_json, '')
    FROM calls WHERE ended_at_ms IS NOT NULL AND status IS NOT NULL;
CREATE INDEX ends_by_end ON ends (ended_at_ms);
DROP INDEX calls_by_end;
ALTER TABLE calls DROP COLUMN status;
ALTER TABLE calls DROP COLUMN error_kind;
ALTER TABLE calls DROP COLUMN attempts;
ALTER TABLE calls DROP COLUMN latency_ms;
ALTER TABLE calls DROP COLUMN ended_at_ms;
ALTER TABLE calls DROP COLUMN fallback;
ALTER TABLE calls DROP COLUMN envelope_json;
";

/// A call's row key: its batch's `seq` in the high 32 bits, its index in the low.
pub(crate) fn call_key(batch_seq: i64, index: u32) -> i64 {
    (batch_seq << 32) | i64::from(index)
}

/// The first and last call keys of a batch.
pub(crate) fn batch_key_range(batch_seq: i64) -> (i64, i64) {
    (batch_seq << 32, (batch_seq << 32) | 0xFFFF_FFFF)
}

/// Opens (creating if needed) the journal at `path` with the journal's pragmas, and
/// brings its schema up to date.
pub(crate) fn open_connection(
    path: &Path,
    busy_timeout: Duration,
) -> Result<Connection, JournalError> {
    let open_error = |source| JournalError::Open {
        path: path.to_owned(),
        source,
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
    conn.busy_timeout(busy_timeout).map_err(open_error)?;
    // page_size and auto_vacuum only take effect before the first table is created;
    // 8 KiB pages suit rows of a few hundred bytes (fewer splits per call written).
    conn.execute_batch("PRAGMA page_size = 8192; PRAGMA auto_vacuum = INCREMENTAL;")
        .map_err(open_error)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(open_error)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(JournalError::NotWal {
            path: path.to_owned(),
            mode,
        });
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;")
        .map_err(open_error)?;
    migrate(&conn, path)?;
    Ok(conn)
}

fn migrate(conn: &Connection, path: &Path) -> Result<(), JournalError> {
    let open_error = |source| JournalError::Open {
        path: path.to_owned(),
        source,
    };
    if user_version(conn).map_err(open_error)? == SCHEMA_VERSION {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE").map_err(open_error)?;
    let result = create_or_check(conn, path);
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = conn.execute_batch(end).map_err(open_error);
    result.and(ended)
}

/// Inside the migration's transaction: another connection may have created the schema
/// since the first look.
fn create_or_check(conn: &Connection, path: &Path) -> Result<(), JournalError> {
    let open_error = |source| JournalError::Open {
        path: path.to_owned(),
        source,
    };
    let version = user_version(conn).map_err(open_error)?;
    if version > SCHEMA_VERSION {
        return Err(JournalError::NewerSchema {
            path: path.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    match version {
        0 => conn.execute_batch(SCHEMA_V3).map_err(open_error)?,
        1 => {
            conn.execute_batch(MIGRATE_V1_TO_V2).map_err(open_error)?;
            conn.execute_batch(MIGRATE_V2_TO_V3).map_err(open_error)?;
        }
        2 => conn.execute_batch(MIGRATE_V2_TO_V3).map_err(open_error)?,
        _ => {}
    }
    if version < SCHEMA_VERSION {
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(open_error)?;
    }
    Ok(())
}

fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}
