//! Read queries over the store.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, Row};

use super::{Store, StoreError};
use crate::model::{
    Carrier, Customer, Delivery, InventoryPosition, OpenOrder, Product, Supplier, Vehicle,
    Warehouse,
};

fn product(r: &Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        sku: r.get(0)?,
        name: r.get(1)?,
        category: r.get(2)?,
        unit_cost: r.get(3)?,
        ordering_cost: r.get(4)?,
        holding_rate: r.get(5)?,
        stockout_cost: r.get(6)?,
        unit_weight_kg: r.get(7)?,
        unit_volume_m3: r.get(8)?,
    })
}

impl Store {
    fn all<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let conn = self.conn.lock();
        let mut st = conn.prepare_cached(sql)?;
        let rows = st.query_map(params, map)?;
        Ok(rows.collect::<Result<Vec<T>, _>>()?)
    }

    /// All warehouses, by code.
    pub fn warehouses(&self) -> Result<Vec<Warehouse>, StoreError> {
        self.all(
            "SELECT code, name, lat, lon FROM warehouses ORDER BY code",
            [],
            |r| {
                Ok(Warehouse {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    lat: r.get(2)?,
                    lon: r.get(3)?,
                })
            },
        )
    }

    /// One warehouse, if it exists.
    pub fn warehouse(&self, code: &str) -> Result<Option<Warehouse>, StoreError> {
        Ok(self.warehouses()?.into_iter().find(|w| w.code == code))
    }

    /// All products, by SKU.
    pub fn products(&self) -> Result<Vec<Product>, StoreError> {
        self.all("SELECT * FROM products ORDER BY sku", [], product)
    }

    /// One product, if it exists.
    pub fn product(&self, sku: &str) -> Result<Option<Product>, StoreError> {
        Ok(self
            .all("SELECT * FROM products WHERE sku = ?1", [sku], product)?
            .pop())
    }

    /// The inventory positions of a warehouse, by SKU.
    pub fn inventory(&self, warehouse_code: &str) -> Result<Vec<InventoryPosition>, StoreError> {
        self.all(
            "SELECT warehouse_code, sku, on_hand, on_order, lead_time_days, std_lead_time_days, \
             service_level FROM inventory WHERE warehouse_code = ?1 ORDER BY sku",
            [warehouse_code],
            |r| {
                Ok(InventoryPosition {
                    warehouse_code: r.get(0)?,
                    sku: r.get(1)?,
                    on_hand: r.get(2)?,
                    on_order: r.get(3)?,
                    lead_time_days: r.get(4)?,
                    std_lead_time_days: r.get(5)?,
                    service_level: r.get(6)?,
                })
            },
        )
    }

    /// Daily demand of one SKU at one warehouse, oldest first; the last `days` only when given.
    pub fn demand_history(
        &self,
        warehouse_code: &str,
        sku: &str,
        days: Option<usize>,
    ) -> Result<Vec<f64>, StoreError> {
        let limit = days.map_or(-1, |d| d as i64);
        let mut values = self.all(
            "SELECT quantity FROM demand_history WHERE warehouse_code = ?1 AND sku = ?2 \
             ORDER BY day DESC LIMIT ?3",
            params![warehouse_code, sku, limit],
            |r| r.get::<_, f64>(0),
        )?;
        values.reverse();
        Ok(values)
    }

    /// Daily demand of every SKU at a warehouse over the last `days` days of history.
    pub fn demand_histories(
        &self,
        warehouse_code: &str,
        days: usize,
    ) -> Result<HashMap<String, Vec<f64>>, StoreError> {
        let rows = self.all(
            "SELECT sku, quantity FROM demand_history WHERE warehouse_code = ?1 \
             AND day > (SELECT MAX(day) FROM demand_history WHERE warehouse_code = ?1) - ?2 \
             ORDER BY sku, day",
            params![warehouse_code, days as i64],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)),
        )?;
        let mut out: HashMap<String, Vec<f64>> = HashMap::new();
        for (sku, qty) in rows {
            out.entry(sku).or_default().push(qty);
        }
        Ok(out)
    }

    /// All suppliers, by id.
    pub fn suppliers(&self) -> Result<Vec<Supplier>, StoreError> {
        self.all(
            "SELECT id, name, country FROM suppliers ORDER BY id",
            [],
            |r| {
                Ok(Supplier {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    country: r.get(2)?,
                })
            },
        )
    }

    /// Deliveries, of one supplier or of all, in order-date order.
    pub fn deliveries(&self, supplier_id: Option<&str>) -> Result<Vec<Delivery>, StoreError> {
        self.all(
            "SELECT supplier_id, sku, order_day, promised_day, actual_day, quantity_ordered, \
             quantity_received, quantity_defective, unit_price FROM deliveries \
             WHERE ?1 IS NULL OR supplier_id = ?1 ORDER BY order_day, id",
            [supplier_id],
            |r| {
                Ok(Delivery {
                    supplier_id: r.get(0)?,
                    sku: r.get(1)?,
                    order_day: r.get(2)?,
                    promised_day: r.get(3)?,
                    actual_day: r.get(4)?,
                    quantity_ordered: r.get(5)?,
                    quantity_received: r.get(6)?,
                    quantity_defective: r.get(7)?,
                    unit_price: r.get(8)?,
                })
            },
        )
    }

    /// For every SKU, the ids of the suppliers that can supply it.
    pub fn supplier_sources(&self) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
        let rows = self.all(
            "SELECT sku, supplier_id FROM supplier_products ORDER BY sku, supplier_id",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )?;
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (sku, supplier) in rows {
            out.entry(sku).or_default().push(supplier);
        }
        Ok(out)
    }

    /// Customers served by a warehouse.
    pub fn customers(&self, warehouse_code: &str) -> Result<Vec<Customer>, StoreError> {
        self.all(
            "SELECT id, name, lat, lon, warehouse_code FROM customers WHERE warehouse_code = ?1 ORDER BY id",
            [warehouse_code],
            |r| {
                Ok(Customer {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    lat: r.get(2)?,
                    lon: r.get(3)?,
                    warehouse_code: r.get(4)?,
                })
            },
        )
    }

    /// Open orders shipping from a warehouse.
    pub fn open_orders(&self, warehouse_code: &str) -> Result<Vec<OpenOrder>, StoreError> {
        self.all(
            "SELECT id, customer_id, warehouse_code, due_day, weight_kg, volume_m3 FROM open_orders \
             WHERE warehouse_code = ?1 ORDER BY id",
            [warehouse_code],
            |r| {
                Ok(OpenOrder {
                    id: r.get(0)?,
                    customer_id: r.get(1)?,
                    warehouse_code: r.get(2)?,
                    due_day: r.get(3)?,
                    weight_kg: r.get(4)?,
                    volume_m3: r.get(5)?,
                })
            },
        )
    }

    /// Vehicles based at a warehouse.
    pub fn vehicles(&self, warehouse_code: &str) -> Result<Vec<Vehicle>, StoreError> {
        self.all(
            "SELECT id, warehouse_code, capacity_kg, capacity_m3, cost_per_km FROM vehicles \
             WHERE warehouse_code = ?1 ORDER BY id",
            [warehouse_code],
            |r| {
                Ok(Vehicle {
                    id: r.get(0)?,
                    warehouse_code: r.get(1)?,
                    capacity_kg: r.get(2)?,
                    capacity_m3: r.get(3)?,
                    cost_per_km: r.get(4)?,
                })
            },
        )
    }

    /// All carriers, by id.
    pub fn carriers(&self) -> Result<Vec<Carrier>, StoreError> {
        self.all("SELECT * FROM carriers ORDER BY id", [], |r| {
            Ok(Carrier {
                id: r.get(0)?,
                name: r.get(1)?,
                mode: r.get(2)?,
                base_cost: r.get(3)?,
                cost_per_kg: r.get(4)?,
                cost_per_km: r.get(5)?,
                transit_days: r.get(6)?,
                on_time_rate: r.get(7)?,
            })
        })
    }
}
