//! Supply-chain data and optimizer tools for the toolexec engine.
//!
//! The crate holds an embedded SQLite [`Store`] with a deterministic sample data set,
//! the algorithms (inventory policies, vehicle routing, supplier analytics) and their
//! wrapping as [`toolexec::Tool`]s in three groups: `inventory_optimizer`,
//! `logistics_optimizer` and `supplier_analyzer`.
//!
//! | group | tools |
//! | --- | --- |
//! | `inventory_optimizer` | `calculate_reorder_points`, `optimize_order_quantities`, `optimize_inventory_policy`, `forecast_demand` |
//! | `logistics_optimizer` | `optimize_routes`, `consolidate_shipments`, `select_carrier` |
//! | `supplier_analyzer` | `analyze_supplier_performance`, `rank_suppliers`, `assess_supplier_risk` |
//!
//! Every tool takes either references into the database (`warehouse_code`,
//! `supplier_id`, ...) or the full data inline, validates its input into typed structs
//! that mirror its JSON Schema (errors name the field as a JSON path), and states its
//! conventions (time units, service-level meaning, rounding) in its description and in a
//! `conventions` object of its result. Every count that sizes a tool's work (list
//! lengths, vehicles, horizons, periods) has a bound in [`limits`], advertised in the
//! schema and checked by the tool before any work. [`builtin_tools`] binds them to a
//! [`Store`] as engine tools (run on Tokio's blocking pool; routing stops at the call
//! deadline or when the call is cancelled, and a retry waits for the attempt it
//! replaces); [`dispatch`] runs one synchronously, as the Lambda functions do.
//!
//! ```
//! use std::sync::Arc;
//! use serde_json::json;
//! use supply_chain::{dispatch, Store};
//!
//! let store = Arc::new(Store::in_memory()?);
//! let result = dispatch(
//!     "inventory_optimizer",
//!     "optimize_order_quantities",
//!     &json!({"items": [{"sku": "A", "annual_demand": 1200.0,
//!                        "ordering_cost": 50.0, "holding_cost_per_unit_year": 3.0}]}),
//!     &store,
//! )?;
//! assert_eq!(result["items"][0]["order_quantity"], 200.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod attempt_gate;
pub mod dates;
pub mod input;
pub mod inventory;
pub mod limits;
pub mod logistics;
pub mod model;
mod registry;
pub mod store;
pub mod supplier;
pub mod tools;

pub use registry::{builtin_tools, dispatch, group_tools, GROUPS};
pub use store::{Store, StoreError};
