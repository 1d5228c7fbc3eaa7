//! Consolidating shipments into trucks limited by weight and volume: two-dimensional
//! vector bin packing by first-fit decreasing.

use serde::Serialize;

/// One shipment to load.
#[derive(Debug, Clone, PartialEq)]
pub struct Parcel {
    /// The shipment's id.
    pub id: String,
    /// Weight (kg).
    pub weight: f64,
    /// Volume (m3).
    pub volume: f64,
}

/// One loaded truck.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Load {
    /// Ids of the shipments in it.
    pub shipments: Vec<String>,
    /// Total weight.
    pub weight: f64,
    /// Total volume.
    pub volume: f64,
    /// `weight / capacity_weight`.
    pub weight_utilization: f64,
    /// `volume / capacity_volume`.
    pub volume_utilization: f64,
}

/// A packing and how good it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Packing {
    /// The trucks used.
    pub loads: Vec<Load>,
    /// `max(ceil(total weight / W), ceil(total volume / V))`: no packing uses fewer.
    pub lower_bound: usize,
}

/// Packs parcels (each fitting a truck alone) by first-fit decreasing on the larger of
/// the two normalized sizes; FFD uses at most 11/9 OPT + 6/9 bins in one dimension
/// (Dosa 2007) and is a strong, simple heuristic for two.
pub fn first_fit_decreasing(
    parcels: &[Parcel],
    capacity_weight: f64,
    capacity_volume: f64,
) -> Packing {
    let size = |p: &Parcel| (p.weight / capacity_weight).max(p.volume / capacity_volume);
    let mut order: Vec<&Parcel> = parcels.iter().collect();
    order.sort_by(|a, b| size(b).total_cmp(&size(a)).then_with(|| a.id.cmp(&b.id)));
    let mut loads: Vec<Load> = Vec::new();
    for parcel in order {
        let slot = loads.iter_mut().find(|l| {
            l.weight + parcel.weight <= capacity_weight + 1e-9
                && l.volume + parcel.volume <= capacity_volume + 1e-9
        });
        let load = match slot {
            Some(load) => load,
            None => {
                loads.push(Load {
                    shipments: Vec::new(),
                    weight: 0.0,
                    volume: 0.0,
                    weight_utilization: 0.0,
                    volume_utilization: 0.0,
                });
                let last = loads.len() - 1;
                &mut loads[last]
            }
        };
        load.shipments.push(parcel.id.clone());
        load.weight += parcel.weight;
        load.volume += parcel.volume;
    }
    for load in &mut loads {
        load.weight_utilization = load.weight / capacity_weight;
        load.volume_utilization = load.volume / capacity_volume;
    }
    let total_weight: f64 = parcels.iter().map(|p| p.weight).sum();
    let total_volume: f64 = parcels.iter().map(|p| p.volume).sum();
    let lower_bound = ((total_weight / capacity_weight - 1e-9).ceil())
        .max((total_volume / capacity_volume - 1e-9).ceil())
        .max(0.0) as usize;
    Packing { loads, lower_bound }
}
