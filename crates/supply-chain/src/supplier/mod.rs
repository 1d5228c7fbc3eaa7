//! Supplier algorithms: performance metrics, multi-criteria ranking and risk findings.

pub mod mcdm;
pub mod performance;
pub mod risk;
