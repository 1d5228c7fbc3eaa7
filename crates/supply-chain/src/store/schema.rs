//! The database schema and its migrations, versioned with `PRAGMA user_version`.

use rusqlite::Connection;

use super::StoreError;

/// Each migration moves the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    "
    CREATE TABLE warehouses (
        code TEXT PRIMARY KEY, name TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL);
    CREATE TABLE products (
        sku TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL,
        unit_cost REAL NOT NULL, ordering_cost REAL NOT NULL, holding_rate REAL NOT NULL,
        stockout_cost REAL NOT NULL, unit_weight_kg REAL NOT NULL, unit_volume_m3 REAL NOT NULL);
    CREATE TABLE inventory (
        warehouse_code TEXT NOT NULL REFERENCES warehouses(code),
        sku TEXT NOT NULL REFERENCES products(sku),
        on_hand REAL NOT NULL, on_order REAL NOT NULL,
        lead_time_days REAL NOT NULL, std_lead_time_days REAL NOT NULL,
        service_level REAL NOT NULL,
        PRIMARY KEY (warehouse_code, sku));
    CREATE TABLE demand_history (
        warehouse_code TEXT NOT NULL, sku TEXT NOT NULL, day INTEGER NOT NULL,
        quantity REAL NOT NULL,
        PRIMARY KEY (warehouse_code, sku, day)) WITHOUT ROWID;
    CREATE TABLE suppliers (id TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL);
    CREATE TABLE supplier_products (
        supplier_id TEXT NOT NULL REFERENCES suppliers(id),
        sku TEXT NOT NULL REFERENCES products(sku),
        unit_price REAL NOT NULL,
        PRIMARY KEY (supplier_id, sku));
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY, supplier_id TEXT NOT NULL REFERENCES suppliers(id),
        sku TEXT NOT NULL REFERENCES products(sku),
        order_day INTEGER NOT NULL, promised_day INTEGER NOT NULL, actual_day INTEGER NOT NULL,
        quantity_ordered REAL NOT NULL, quantity_received REAL NOT NULL,
        quantity_defective REAL NOT NULL, unit_price REAL NOT NULL);
    CREATE INDEX deliveries_by_supplier ON deliveries(supplier_id, order_day);
    CREATE TABLE customers (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
        warehouse_code TEXT NOT NULL REFERENCES warehouses(code));
    CREATE TABLE open_orders (
        id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
        warehouse_code TEXT NOT NULL REFERENCES warehouses(code),
        due_day INTEGER NOT NULL, weight_kg REAL NOT NULL, volume_m3 REAL NOT NULL);
    CREATE TABLE vehicles (
        id TEXT PRIMARY KEY, warehouse_code TEXT NOT NULL REFERENCES warehouses(code),
        capacity_kg REAL NOT NULL, capacity_m3 REAL NOT NULL, cost_per_km REAL NOT NULL);
    CREATE TABLE carriers (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, mode TEXT NOT NULL,
        base_cost REAL NOT NULL, cost_per_kg REAL NOT NULL, cost_per_km REAL NOT NULL,
        transit_days REAL NOT NULL, on_time_rate REAL NOT NULL);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    ",
];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`], one transaction per migration.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
