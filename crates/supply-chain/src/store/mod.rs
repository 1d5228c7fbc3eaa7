//! The embedded SQLite store: opening, migrating and seeding the database, and the
//! queries the tools use.

mod queries;
mod schema;
mod seed;

use std::path::Path;

use parking_lot::Mutex;
use rusqlite::Connection;

pub use schema::SCHEMA_VERSION;
pub use seed::{SeedSummary, DEFAULT_SEED, HISTORY_DAYS, HISTORY_START};

/// A store failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file was written by a newer version of this program.
    #[error("database schema version {found} is newer than supported version {supported}")]
    NewerSchema {
        /// The version in the file.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A seeding parameter is out of range.
    #[error("invalid seed scale {0}: must be between 1 and 100")]
    InvalidScale(u32),
}

impl StoreError {
    /// Whether retrying may help (a busy or locked database).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

/// The supply-chain database. `Send + Sync`: one connection behind a mutex, which is
/// plenty for the short read queries the tools run.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates its schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Self::from_connection(Connection::open(path)?)
    }

    /// Opens the database at `path`, seeding it at `scale` when it holds no data yet.
    pub fn open_or_seed(path: impl AsRef<Path>, scale: u32) -> Result<Store, StoreError> {
        let store = Self::open(path)?;
        if store.is_empty()? {
            store.seed(scale, DEFAULT_SEED)?;
        }
        Ok(store)
    }

    /// A fresh in-memory database seeded at `scale` with the default seed.
    pub fn in_memory_seeded(scale: u32) -> Result<Store, StoreError> {
        let store = Self::from_connection(Connection::open_in_memory()?)?;
        store.seed(scale, DEFAULT_SEED)?;
        Ok(store)
    }

    /// An empty, migrated in-memory database.
    pub fn in_memory() -> Result<Store, StoreError> {
        Self::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut conn: Connection) -> Result<Store, StoreError> {
        conn.pragma_update(None, "foreign_keys", true)?;
        schema::migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// Whether the store holds no warehouses.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        let conn = self.conn.lock();
        let count: i64 = conn.query_row("SELECT COUNT(*) FROM warehouses", [], |r| r.get(0))?;
        Ok(count == 0)
    }

    /// Replaces all data with a deterministic sample set at `scale` (1..=100) from `seed`,
    /// in one transaction.
    pub fn seed(&self, scale: u32, seed: u64) -> Result<SeedSummary, StoreError> {
        if !(1..=100).contains(&scale) {
            return Err(StoreError::InvalidScale(scale));
        }
        let mut conn = self.conn.lock();
        seed::generate(&mut conn, scale, seed)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let conn = self.conn.lock();
        Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
    }
}
