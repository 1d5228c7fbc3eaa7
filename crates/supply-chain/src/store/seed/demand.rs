//! Daily demand history and inventory positions.

use rusqlite::{params, Transaction};

use super::{
    Gen, ProductRow, SeedSummary, SupplierProfile, WarehouseRow, HISTORY_DAYS, HISTORY_START,
};
use crate::store::StoreError;

/// Writes two years of daily demand per warehouse and SKU (trend, yearly season,
/// weekday pattern, noise) and an inventory position for each.
pub(super) fn generate(
    tx: &Transaction<'_>,
    g: &mut Gen,
    warehouses: &[WarehouseRow],
    products: &[ProductRow],
    sources: &[Vec<usize>],
    profiles: &[SupplierProfile],
    summary: &mut SeedSummary,
) -> Result<(), StoreError> {
    {
        let mut demand = tx.prepare("INSERT INTO demand_history VALUES (?1, ?2, ?3, ?4)")?;
        let mut inventory =
            tx.prepare("INSERT INTO inventory VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
        for (w, (code, _, _)) in warehouses.iter().enumerate() {
            let size = g.uniform(0.6, 1.4);
            for (p, (sku, _, base)) in products.iter().enumerate() {
                let growth = g.uniform(-0.10, 0.30) / 365.0;
                let amplitude = g.uniform(0.0, 0.35);
                let phase = g.uniform(0.0, std::f64::consts::TAU);
                let mut last_quarter = 0.0;
                for day in 0..HISTORY_DAYS {
                    let t = day as f64;
                    // Day 0 (2024-01-01) is a Monday: days 5 and 6 of each week are the weekend.
                    let weekday = if day % 7 >= 5 { 0.55 } else { 1.15 };
                    let season =
                        1.0 + amplitude * (std::f64::consts::TAU * t / 365.0 + phase).sin();
                    let mean = base * size * (1.0 + growth * t) * season * weekday;
                    let qty = (mean + g.normal() * (mean.sqrt() * 1.1)).round().max(0.0);
                    demand.execute(params![code, sku, HISTORY_START + day, qty])?;
                    if day >= HISTORY_DAYS - 90 {
                        last_quarter += qty;
                    }
                }
                summary.demand_rows += HISTORY_DAYS as usize;
                let primary = &profiles[sources[p][0]];
                let daily = last_quarter / 90.0;
                // Stock somewhere in its replenishment cycle: about the lead time's
                // demand plus up to a month of cycle stock, so that most SKUs sit above
                // their reorder point and a minority (the ones to reorder) below it.
                let cover_days = primary.lead_mean * g.uniform(0.8, 1.5) + g.uniform(0.0, 30.0);
                let on_hand = (daily * cover_days).round();
                let on_order = if g.0.f64() < 0.3 {
                    (daily * 20.0).round()
                } else {
                    0.0
                };
                let service = [0.90, 0.95, 0.95, 0.98, 0.99][(w + p) % 5];
                inventory.execute(params![
                    code,
                    sku,
                    on_hand,
                    on_order,
                    (primary.lead_mean * 10.0).round() / 10.0,
                    (primary.lead_std * 10.0).round() / 10.0,
                    service
                ])?;
            }
        }
    }
    Ok(())
}
