//! The deterministic sample-data generator.
//!
//! Everything derives from one seed through `fastrand`, so the same (scale, seed) gives
//! the same database. Demand is `base * trend * yearly season * weekday factor`, plus
//! noise with a standard deviation near the square root of the mean; suppliers differ in
//! punctuality, lead time, defects and price, and a few deteriorate in the second year.

use rusqlite::{params, Connection};
use serde::Serialize;

mod deliveries;
mod demand;
mod logistics;

use super::StoreError;
use crate::dates::days_from_civil;

/// The seed used by [`super::Store::open_or_seed`] and [`super::Store::in_memory_seeded`].
pub const DEFAULT_SEED: u64 = 20_240_101;
/// Days of demand history generated (two years).
pub const HISTORY_DAYS: i64 = 730;
/// The first day of history: 2024-01-01, as a day number.
pub const HISTORY_START: i64 = 19_723;

const CATEGORIES: &[(&str, &str, f64, f64, f64)] = &[
    // (category, SKU prefix, typical unit cost, kg per unit, m3 per unit)
    ("fasteners", "FAS", 0.4, 0.02, 0.00005),
    ("electronics", "ELE", 45.0, 0.6, 0.004),
    ("packaging", "PKG", 1.2, 0.3, 0.01),
    ("tools", "TOL", 28.0, 1.5, 0.006),
    ("safety", "SAF", 12.0, 0.4, 0.003),
    ("cleaning", "CLN", 6.0, 1.1, 0.002),
    ("electrical", "ELC", 9.0, 0.5, 0.001),
    ("adhesives", "ADH", 7.5, 0.4, 0.0008),
];

/// The region: around Chicago, IL.
pub(super) const CENTER: (f64, f64) = (41.88, -87.63);
const COUNTRIES: &[&str] = &["US", "US", "US", "CA", "MX", "DE", "CN", "TW", "VN", "IN"];

/// A warehouse being generated: code, latitude, longitude.
pub(super) type WarehouseRow = (String, f64, f64);
/// A product being generated: SKU, unit cost, base daily demand.
pub(super) type ProductRow = (String, f64, f64);

/// What [`super::Store::seed`] created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeedSummary {
    /// Warehouses.
    pub warehouses: usize,
    /// Products.
    pub products: usize,
    /// Demand history rows.
    pub demand_rows: usize,
    /// Suppliers.
    pub suppliers: usize,
    /// Deliveries.
    pub deliveries: usize,
    /// Customers.
    pub customers: usize,
    /// Open orders.
    pub open_orders: usize,
}

pub(super) struct Gen(pub(super) fastrand::Rng);

impl Gen {
    pub(super) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.0.f64()
    }
    pub(super) fn normal(&mut self) -> f64 {
        let u1 = self.0.f64().max(1e-12);
        let u2 = self.0.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

pub(super) struct SupplierProfile {
    pub(super) on_time: f64,
    pub(super) lead_mean: f64,
    pub(super) lead_std: f64,
    pub(super) defect: f64,
    pub(super) price_factor: f64,
    pub(super) fill: f64,
    pub(super) deteriorates: bool,
}

/// Deletes all rows and writes a fresh sample set, in one transaction.
pub(super) fn generate(
    conn: &mut Connection,
    scale: u32,
    seed: u64,
) -> Result<SeedSummary, StoreError> {
    let mut g = Gen(fastrand::Rng::with_seed(seed));
    let s = scale as usize;
    let tx = conn.transaction()?;
    for table in [
        "open_orders",
        "customers",
        "vehicles",
        "carriers",
        "deliveries",
        "supplier_products",
        "suppliers",
        "demand_history",
        "inventory",
        "products",
        "warehouses",
        "meta",
    ] {
        tx.execute(&format!("DELETE FROM {table}"), [])?;
    }
    let n_warehouses = (2 + s).min(9);
    let n_products = 200 * s;
    let n_suppliers = 24 * s;
    let mut summary = SeedSummary {
        warehouses: n_warehouses,
        products: n_products,
        demand_rows: 0,
        suppliers: n_suppliers,
        deliveries: 0,
        customers: 0,
        open_orders: 0,
    };
    let warehouses: Vec<(String, f64, f64)> = (0..n_warehouses)
        .map(|w| {
            let angle = std::f64::consts::TAU * w as f64 / n_warehouses as f64;
            let lat = CENTER.0 + 1.2 * angle.sin() + g.uniform(-0.1, 0.1);
            let lon = CENTER.1 + 1.6 * angle.cos() + g.uniform(-0.1, 0.1);
            (format!("WH{:03}", w + 1), lat, lon)
        })
        .collect();
    {
        let mut st = tx.prepare("INSERT INTO warehouses VALUES (?1, ?2, ?3, ?4)")?;
        for (i, (code, lat, lon)) in warehouses.iter().enumerate() {
            st.execute(params![
                code,
                format!("Distribution Center {}", i + 1),
                lat,
                lon
            ])?;
        }
    }
    // Products.
    let mut products = Vec::with_capacity(n_products);
    {
        let mut st =
            tx.prepare("INSERT INTO products VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?;
        for p in 0..n_products {
            let (category, prefix, cost, kg, m3) = CATEGORIES[p % CATEGORIES.len()];
            let sku = format!("{prefix}-{:04}", p / CATEGORIES.len() + 1);
            let unit_cost = (cost * g.uniform(0.5, 2.0) * 100.0).round() / 100.0;
            let base_demand = (g.uniform(0.5, 4.0) * 40.0 / cost.sqrt().max(1.0)).max(0.3);
            st.execute(params![
                sku,
                format!("{category} item {}", p / CATEGORIES.len() + 1),
                category,
                unit_cost,
                (g.uniform(20.0, 120.0)).round(),
                g.uniform(0.18, 0.30),
                (unit_cost * g.uniform(0.3, 1.0) * 100.0).round() / 100.0 + 1.0,
                kg * g.uniform(0.7, 1.3),
                m3 * g.uniform(0.7, 1.3)
            ])?;
            products.push((sku, unit_cost, base_demand));
        }
    }
    // Suppliers and who supplies what.
    let profiles: Vec<SupplierProfile> = (0..n_suppliers)
        .map(|i| {
            let on_time = g.uniform(0.65, 0.98);
            let lead_mean = g.uniform(4.0, 28.0);
            SupplierProfile {
                on_time,
                lead_mean,
                lead_std: lead_mean * g.uniform(0.05, 0.45),
                defect: g.uniform(0.002, 0.05),
                price_factor: g.uniform(0.88, 1.15),
                fill: g.uniform(0.9, 1.0),
                deteriorates: i % 6 == 5,
            }
        })
        .collect();
    {
        let mut st = tx.prepare("INSERT INTO suppliers VALUES (?1, ?2, ?3)")?;
        for i in 0..n_suppliers {
            let country = COUNTRIES[g.0.usize(..COUNTRIES.len())];
            st.execute(params![
                format!("SUP{:03}", i + 1),
                format!("Supplier {}", i + 1),
                country
            ])?;
        }
    }
    let mut sources: Vec<Vec<usize>> = Vec::with_capacity(n_products);
    {
        let mut st = tx.prepare("INSERT INTO supplier_products VALUES (?1, ?2, ?3)")?;
        for (sku, unit_cost, _) in &products {
            let count = if g.0.f64() < 0.2 { 1 } else { g.0.usize(2..=3) };
            let mut chosen: Vec<usize> = Vec::new();
            while chosen.len() < count {
                let s = g.0.usize(..n_suppliers);
                if !chosen.contains(&s) {
                    chosen.push(s);
                }
            }
            for &s in &chosen {
                let price = unit_cost * profiles[s].price_factor * g.uniform(0.97, 1.03);
                st.execute(params![
                    format!("SUP{:03}", s + 1),
                    sku,
                    (price * 100.0).round() / 100.0
                ])?;
            }
            sources.push(chosen);
        }
    }
    demand::generate(
        &tx,
        &mut g,
        &warehouses,
        &products,
        &sources,
        &profiles,
        &mut summary,
    )?;
    deliveries::generate(&tx, &mut g, &products, &sources, &profiles, &mut summary)?;
    logistics::generate(&tx, &mut g, &warehouses, s, &mut summary)?;
    tx.execute(
        "INSERT INTO meta VALUES ('seed', ?1), ('scale', ?2)",
        params![seed.to_string(), scale.to_string()],
    )?;
    tx.commit()?;
    debug_assert_eq!(HISTORY_START, days_from_civil(2024, 1, 1));
    Ok(summary)
}
