//! Customers, open orders, vehicles and carriers.

use rusqlite::{params, Transaction};

use super::{Gen, SeedSummary, WarehouseRow, HISTORY_DAYS, HISTORY_START};
use crate::store::StoreError;

/// Writes 30 customers per warehouse and scale with up to two open orders each, four
/// vehicles per warehouse, and eight carriers.
pub(super) fn generate(
    tx: &Transaction<'_>,
    g: &mut Gen,
    warehouses: &[WarehouseRow],
    s: usize,
    summary: &mut SeedSummary,
) -> Result<(), StoreError> {
    {
        let mut customers = tx.prepare("INSERT INTO customers VALUES (?1, ?2, ?3, ?4, ?5)")?;
        let mut orders = tx.prepare("INSERT INTO open_orders VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        let mut vehicles = tx.prepare("INSERT INTO vehicles VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for (code, lat, lon) in warehouses {
            for _ in 0..(30 * s) {
                summary.customers += 1;
                let id = format!("C{:04}", summary.customers);
                let (clat, clon) = (lat + g.uniform(-0.45, 0.45), lon + g.uniform(-0.6, 0.6));
                customers.execute(params![
                    id,
                    format!("Store {}", summary.customers),
                    clat,
                    clon,
                    code
                ])?;
                for _ in 0..g.0.usize(0..=2) {
                    summary.open_orders += 1;
                    let weight = g.uniform(40.0, 1400.0).round();
                    orders.execute(params![
                        format!("O{:05}", summary.open_orders),
                        id,
                        code,
                        HISTORY_START + HISTORY_DAYS + g.0.i64(1..=7),
                        weight,
                        (weight / g.uniform(120.0, 400.0) * 100.0).round() / 100.0
                    ])?;
                }
            }
            for v in 0..4 {
                let big = v % 2 == 0;
                vehicles.execute(params![
                    format!("{code}-V{}", v + 1),
                    code,
                    if big { 10_000.0 } else { 4_000.0 },
                    if big { 60.0 } else { 22.0 },
                    if big { 1.6 } else { 1.0 }
                ])?;
            }
        }
        let mut carriers =
            tx.prepare("INSERT INTO carriers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?;
        let rows: &[(&str, &str, f64, f64, f64, f64, f64)] = &[
            ("Lakeshore Freight", "ltl", 85.0, 0.09, 0.55, 3.0, 0.91),
            ("Prairie Express", "express", 140.0, 0.22, 0.95, 1.0, 0.97),
            ("MidWest FTL", "ftl", 420.0, 0.01, 1.65, 2.0, 0.93),
            ("Heartland Parcel", "parcel", 12.0, 0.65, 0.10, 4.0, 0.88),
            ("Great Lakes Rail", "rail", 300.0, 0.015, 0.35, 6.0, 0.84),
            (
                "Windy City Couriers",
                "express",
                95.0,
                0.30,
                1.10,
                1.0,
                0.95,
            ),
            ("Corn Belt Logistics", "ltl", 70.0, 0.11, 0.50, 4.0, 0.86),
            ("Interstate Haulers", "ftl", 380.0, 0.012, 1.80, 2.0, 0.96),
        ];
        for (i, (name, mode, base, kg, km, days, on_time)) in rows.iter().enumerate() {
            carriers.execute(params![
                format!("CAR{:02}", i + 1),
                name,
                mode,
                base,
                kg,
                km,
                days,
                on_time
            ])?;
        }
    }
    Ok(())
}
