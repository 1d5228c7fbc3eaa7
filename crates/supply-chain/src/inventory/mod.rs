//! Inventory algorithms: demand distributions, safety stock, EOQ, stochastic policies,
//! the newsvendor, dynamic lot sizing and demand forecasting.

pub mod distribution;
pub mod eoq;
pub mod forecast;
pub mod lot_sizing;
pub mod newsvendor;
pub mod policy;
pub mod safety_stock;
