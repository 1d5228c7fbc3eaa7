//! Rows written several per statement: `INSERT ... VALUES (...), (...), ...`.
//!
//! A statement costs SQLite a fixed part besides its rows (opening its cursors,
//! halting, resetting, unbinding); with [`ROWS_PER_STATEMENT`] rows per statement a
//! group's thousands of rows pay it a sixteenth as often. The rows left over at the
//! end of a group go one per statement.

use rusqlite::{CachedStatement, Connection, Statement};

/// Rows of a full multi-row statement.
pub(crate) const ROWS_PER_STATEMENT: usize = 16;

/// The SQL of an insert of one row and of [`ROWS_PER_STATEMENT`] rows, written once
/// per process (a statement is taken from the connection's cache by its text).
pub(crate) struct InsertSql {
    one: String,
    many: String,
    columns: usize,
}

impl InsertSql {
    /// `INSERT OR IGNORE INTO {table} ({columns}) VALUES ...`.
    ///
    /// `OR IGNORE` (a row breaking a constraint is left out, counted as not inserted)
    /// rather than an `ON CONFLICT` clause: under the default `ABORT` of its other
    /// constraints a statement of several rows may have to undo the rows it wrote, so
    /// SQLite keeps a statement journal for it, a copy of every page it touches
    /// (spilled to a temporary file past 64 KiB: as many page writes as the WAL's).
    pub(crate) fn new(table: &str, columns: &[&str]) -> Self {
        let sql = |rows: usize| {
            let values: Vec<String> = (0..rows)
                .map(|row| {
                    let first = row * columns.len() + 1;
                    let params: Vec<String> = (first..first + columns.len())
                        .map(|n| format!("?{n}"))
                        .collect();
                    format!("({})", params.join(", "))
                })
                .collect();
            format!(
                "INSERT OR IGNORE INTO {table} ({}) VALUES {}",
                columns.join(", "),
                values.join(", ")
            )
        };
        Self {
            one: sql(1),
            many: sql(ROWS_PER_STATEMENT),
            columns: columns.len(),
        }
    }
}

/// An insert of one row and of [`ROWS_PER_STATEMENT`] rows, prepared.
pub(crate) struct Insert<'c> {
    one: CachedStatement<'c>,
    many: CachedStatement<'c>,
    columns: usize,
}

impl<'c> Insert<'c> {
    /// Prepares `sql` (or takes it from the connection's cache).
    pub(crate) fn prepare(conn: &'c Connection, sql: &InsertSql) -> rusqlite::Result<Self> {
        Ok(Self {
            one: conn.prepare_cached(&sql.one)?,
            many: conn.prepare_cached(&sql.many)?,
            columns: sql.columns,
        })
    }
}

/// Binds one row's values from the parameter it is given on (1-based).
pub(crate) type BindRow<T> = fn(&mut Statement<'_>, usize, &T) -> rusqlite::Result<()>;

/// Rows on their way into one [`Insert`], held until a statement's worth is there.
pub(crate) struct Rows<'i, 'c, T> {
    insert: &'i mut Insert<'c>,
    bind: BindRow<T>,
    held: Vec<T>,
    written: usize,
}

impl<'i, 'c, T> Rows<'i, 'c, T> {
    /// Rows for `insert`, each bound by `bind`.
    pub(crate) fn new(insert: &'i mut Insert<'c>, bind: BindRow<T>) -> Self {
        Self {
            insert,
            bind,
            held: Vec::with_capacity(ROWS_PER_STATEMENT),
            written: 0,
        }
    }

    /// Adds a row, writing a full statement's rows once they are there.
    pub(crate) fn push(&mut self, row: T) -> rusqlite::Result<()> {
        self.held.push(row);
        if self.held.len() == ROWS_PER_STATEMENT {
            for (at, row) in self.held.iter().enumerate() {
                (self.bind)(&mut self.insert.many, at * self.insert.columns + 1, row)?;
            }
            self.written += self.insert.many.raw_execute()?;
            self.held.clear();
        }
        Ok(())
    }

    /// Writes the rows left, one per statement; returns how many rows were inserted
    /// in all (a row refused by its `ON CONFLICT` clause is not).
    pub(crate) fn finish(mut self) -> rusqlite::Result<usize> {
        for row in &self.held {
            (self.bind)(&mut self.insert.one, 1, row)?;
            self.written += self.insert.one.raw_execute()?;
        }
        Ok(self.written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bind_pair(
        statement: &mut Statement<'_>,
        first: usize,
        row: &(i64, i64),
    ) -> rusqlite::Result<()> {
        statement.raw_bind_parameter(first, row.0)?;
        statement.raw_bind_parameter(first + 1, row.1)
    }

    #[test]
    fn full_statements_and_the_rows_left_are_all_written_and_conflicts_not_counted() {
        let conn = Connection::open_in_memory().expect("opened");
        conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)")
            .expect("created");
        conn.execute("INSERT INTO t (k, v) VALUES (3, -1), (40, -1)", [])
            .expect("two taken");
        let sql = InsertSql::new("t", &["k", "v"]);
        let mut insert = Insert::prepare(&conn, &sql).expect("prepared");
        let mut rows = Rows::new(&mut insert, bind_pair);
        for k in 0..41 {
            rows.push((k, k * 10)).expect("pushed");
        }
        assert_eq!(rows.finish().expect("finished"), 39);
        let (count, sum): (i64, i64) = conn
            .query_row("SELECT count(*), sum(v) FROM t", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .expect("read");
        assert_eq!(count, 41);
        assert_eq!(sum, (0..41).map(|k| k * 10).sum::<i64>() - 30 - 400 - 2);
    }
}
