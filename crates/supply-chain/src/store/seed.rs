//! The deterministic sample-data generator.
//!
//! Everything derives from one seed through `fastrand`, so the same (scale, seed) gives
//! the same database. Demand is `base * trend * yearly season * weekday factor`, plus
//! noise with a standard deviation near the square root of the mean; suppliers differ in
//! punctuality, lead time, defects and price, and a few deteriorate in the second year.

use rusqlite::{params, Connection};
use serde::Serialize;

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
const CENTER: (f64, f64) = (41.88, -87.63);
const COUNTRIES: &[&str] = &["US", "US", "US", "CA", "MX", "DE", "CN", "TW", "VN", "IN"];

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

struct Gen(fastrand::Rng);

impl Gen {
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.0.f64()
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.0.f64().max(1e-12);
        let u2 = self.0.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

struct SupplierProfile {
    on_time: f64,
    lead_mean: f64,
    lead_std: f64,
    defect: f64,
    price_factor: f64,
    fill: f64,
    deteriorates: bool,
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
    // Demand history and inventory positions.
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
                let on_hand = (daily * g.uniform(2.0, 40.0)).round();
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
    // Deliveries: each source ships every 3 to 8 weeks over the two years.
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
    // Customers, open orders, vehicles, carriers.
    {
        let mut customers = tx.prepare("INSERT INTO customers VALUES (?1, ?2, ?3, ?4, ?5)")?;
        let mut orders = tx.prepare("INSERT INTO open_orders VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        let mut vehicles = tx.prepare("INSERT INTO vehicles VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for (code, lat, lon) in &warehouses {
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
    tx.execute(
        "INSERT INTO meta VALUES ('seed', ?1), ('scale', ?2)",
        params![seed.to_string(), scale.to_string()],
    )?;
    tx.commit()?;
    debug_assert_eq!(HISTORY_START, days_from_civil(2024, 1, 1));
    Ok(summary)
}
