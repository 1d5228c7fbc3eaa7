//! Logistics algorithms: distances, capacitated vehicle routing, shipment
//! consolidation and carrier selection.

pub mod binpack;
pub mod carrier;
pub mod cvrp;
pub mod distance;
pub mod local_search;
pub mod ruin_recreate;
pub mod tsplib;
