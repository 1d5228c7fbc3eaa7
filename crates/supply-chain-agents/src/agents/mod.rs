//! The three specialist agents.

mod inventory;
mod logistics;
mod supplier;

pub use inventory::{reorder_now, InventoryAgent};
pub use logistics::LogisticsAgent;
pub use supplier::{criteria, SupplierAgent};
