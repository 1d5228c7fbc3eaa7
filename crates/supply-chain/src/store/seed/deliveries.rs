//! Supplier deliveries.

use rusqlite::{params, Transaction};

use super::{Gen, ProductRow, SeedSummary, SupplierProfile, HISTORY_DAYS, HISTORY_START};
use crate::store::StoreError;

/// Writes each source's deliveries, every 3 to 8 weeks over the two years; suppliers
/// marked as deteriorating get later and worse in the second year.
pub(super) fn generate(
    tx: &Transaction<'_>,
    g: &mut Gen,
    products: &[ProductRow],
    sources: &[Vec<usize>],
    profiles: &[SupplierProfile],
    summary: &mut SeedSummary,
) -> Result<(), StoreError> {
    {
        let mut st = tx.prepare(
            "INSERT INTO deliveries (supplier_id, sku, order_day, promised_day, actual_day, \
         quantity_ordered, quantity_received, quantity_defective, unit_price) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for (p, (sku, unit_cost, base)) in products.iter().enumerate() {
            for &s in &sources[p] {
                let prof = &profiles[s];
                let mut day = g.0.i64(0..30);
                while day < HISTORY_DAYS - 40 {
                    let late_phase = prof.deteriorates && day > HISTORY_DAYS / 2;
                    let on_time = if late_phase {
                        prof.on_time - 0.3
                    } else {
                        prof.on_time
                    };
                    let promised = prof.lead_mean.round().max(1.0) as i64;
                    let lead = (prof.lead_mean + g.normal() * prof.lead_std)
                        .round()
                        .max(1.0) as i64;
                    let actual = if g.0.f64() < on_time {
                        lead.min(promised)
                    } else {
                        promised + 1 + (g.uniform(0.0, 1.0) * prof.lead_std * 2.0).round() as i64
                    };
                    let ordered = (base * 30.0 * g.uniform(0.6, 1.6)).round().max(10.0);
                    let received = (ordered * (prof.fill + (1.0 - prof.fill) * g.0.f64())).round();
                    let defect = if late_phase {
                        prof.defect * 2.5
                    } else {
                        prof.defect
                    };
                    let defective = (received * defect * g.uniform(0.0, 2.0)).round();
                    let price = unit_cost * prof.price_factor * (1.0 + 0.0001 * day as f64);
                    st.execute(params![
                        format!("SUP{:03}", s + 1),
                        sku,
                        HISTORY_START + day,
                        HISTORY_START + day + promised,
                        HISTORY_START + day + actual,
                        ordered,
                        received,
                        defective,
                        (price * 100.0).round() / 100.0
                    ])?;
                    summary.deliveries += 1;
                    day += g.0.i64(21..=56);
                }
            }
        }
    }
    Ok(())
}
