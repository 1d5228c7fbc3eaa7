//! The supply-chain data model: what the store holds and the queries return.

use serde::Serialize;

/// A warehouse (distribution centre).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warehouse {
    /// Code such as `WH001`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Latitude (degrees).
    pub lat: f64,
    /// Longitude (degrees).
    pub lon: f64,
}

/// A product (SKU).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Product {
    /// The SKU code, such as `FAS-0001`.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Category (fasteners, electronics, packaging, ...).
    pub category: String,
    /// Purchase cost per unit.
    pub unit_cost: f64,
    /// Fixed cost per replenishment order.
    pub ordering_cost: f64,
    /// Annual holding cost as a fraction of unit cost.
    pub holding_rate: f64,
    /// Cost per unit short (backordered).
    pub stockout_cost: f64,
    /// Weight per unit (kg).
    pub unit_weight_kg: f64,
    /// Volume per unit (m3).
    pub unit_volume_m3: f64,
}

/// A product's stock position and replenishment parameters in one warehouse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InventoryPosition {
    /// The warehouse.
    pub warehouse_code: String,
    /// The SKU.
    pub sku: String,
    /// Units on hand.
    pub on_hand: f64,
    /// Units ordered, not yet received.
    pub on_order: f64,
    /// Mean replenishment lead time (days).
    pub lead_time_days: f64,
    /// Standard deviation of the lead time (days).
    pub std_lead_time_days: f64,
    /// Target cycle service level.
    pub service_level: f64,
}

/// A supplier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Supplier {
    /// Id such as `SUP001`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Country code.
    pub country: String,
}

/// One delivery (purchase order receipt) from a supplier. Days are day numbers (days
/// since 1970-01-01; see [`crate::dates`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    /// The supplier.
    pub supplier_id: String,
    /// The SKU delivered.
    pub sku: String,
    /// Day the order was placed.
    pub order_day: i64,
    /// Day the supplier promised delivery.
    pub promised_day: i64,
    /// Day it arrived.
    pub actual_day: i64,
    /// Units ordered.
    pub quantity_ordered: f64,
    /// Units received.
    pub quantity_received: f64,
    /// Units received defective.
    pub quantity_defective: f64,
    /// Price per unit.
    pub unit_price: f64,
}

/// A customer site (store) served from a warehouse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customer {
    /// Id such as `C0001`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Latitude (degrees).
    pub lat: f64,
    /// Longitude (degrees).
    pub lon: f64,
    /// The warehouse serving it.
    pub warehouse_code: String,
}

/// An open customer order waiting for delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenOrder {
    /// Id such as `O00001`.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// The shipping warehouse.
    pub warehouse_code: String,
    /// Day by which it is due.
    pub due_day: i64,
    /// Total weight (kg).
    pub weight_kg: f64,
    /// Total volume (m3).
    pub volume_m3: f64,
}

/// A delivery vehicle based at a warehouse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vehicle {
    /// Id such as `V001`.
    pub id: String,
    /// Home warehouse.
    pub warehouse_code: String,
    /// Payload (kg).
    pub capacity_kg: f64,
    /// Cargo volume (m3).
    pub capacity_m3: f64,
    /// Running cost per km.
    pub cost_per_km: f64,
}

/// A freight carrier's tariff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Carrier {
    /// Id such as `CAR01`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `ltl`, `ftl`, `parcel`, `express` or `rail`.
    pub mode: String,
    /// Fixed charge per shipment.
    pub base_cost: f64,
    /// Charge per kg.
    pub cost_per_kg: f64,
    /// Charge per km.
    pub cost_per_km: f64,
    /// Mean transit time (days).
    pub transit_days: f64,
    /// Share of shipments delivered on time.
    pub on_time_rate: f64,
}
