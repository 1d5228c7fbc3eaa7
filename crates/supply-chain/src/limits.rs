//! The bounds on every tool input that drives memory or time.
//!
//! Each tool advertises these in its JSON Schema (`maxItems`, `minimum`, `maximum`) and
//! checks them itself right after parsing, before any work, so a direct Rust call is as
//! safe as a call through an engine that validates schemas. A list's length is checked
//! before its items; an out-of-range number is an `invalid_input` naming its JSON path,
//! never clamped in silence.
//!
//! The values are chosen so that the largest accepted input of any tool runs well within
//! its time budget and a few tens of megabytes: the routing distance matrix is the
//! largest structure (1,000 stops: a million distances, 8 MB, held three times by the
//! solver), and the largest accepted inputs of the quadratic algorithms (bin packing,
//! carrier Pareto front, supplier risk and ranking) finish within about 0.6 s in a
//! release build (`input_bounds.rs` measures them).

/// Most stops of one `optimize_routes` problem. vrp-core builds its job index (every
/// stop's neighbours, sorted) before its search starts and without looking at the
/// cancellation: 0.33 s at 1,000 stops but 2.0 s at 2,000 (release build), so the
/// bound also bounds how long a cancelled call's solver may still run.
pub const MAX_STOPS: usize = 1_000;
/// Most vehicles of one `optimize_routes` problem; the fleet actually built is at most one
/// vehicle per stop, as more could never be used.
pub const MAX_VEHICLES: usize = MAX_STOPS;
/// Largest `vehicle_capacity` (integer demands; 1e6 with fractional demands, which are
/// scaled by 1000).
pub const MAX_VEHICLE_CAPACITY: f64 = 1e9;
/// Largest absolute `x` or `y` coordinate of a routing point, so that no distance
/// overflows to infinity.
pub const MAX_COORDINATE: f64 = 1e9;
/// Shortest routing `time_limit_ms`.
pub const MIN_TIME_LIMIT_MS: u64 = 10;
/// Longest routing `time_limit_ms` (two minutes).
pub const MAX_TIME_LIMIT_MS: u64 = 120_000;
/// Most routing `max_iterations`.
pub const MAX_ITERATIONS: usize = 100_000;

/// Most inline `items` of the reorder-point and order-quantity tools, and most `skus`.
pub const MAX_ITEMS: usize = 5_000;
/// Most `price_breaks` of one item.
pub const MAX_PRICE_BREAKS: usize = 100;
/// Most days of an inline demand `history` (ten years).
pub const MAX_HISTORY_DAYS: usize = 3_650;
/// Longest forecast `horizon_days` (one year).
pub const MAX_HORIZON_DAYS: usize = 365;
/// Most periods of a Wagner-Whitin `lot_sizing.demand` series.
pub const MAX_LOT_SIZING_PERIODS: usize = 1_000;
/// Most entries of `policies` (there are five policies).
pub const MAX_POLICIES: usize = 5;
/// Longest lead time or review period, in days (ten years).
pub const MAX_DAYS: f64 = 3_650.0;

/// Most inline `shipments` to consolidate.
pub const MAX_SHIPMENTS: usize = 10_000;
/// Most inline `carriers` to rank.
pub const MAX_CARRIERS: usize = 1_000;
/// Most inline `deliveries` to analyse.
pub const MAX_DELIVERIES: usize = 5_000;
/// Most inline `suppliers` to rank.
pub const MAX_SUPPLIERS: usize = 1_000;
/// Most ranking `criteria`.
pub const MAX_CRITERIA: usize = 20;
/// Most SKUs in a risk `sources` map.
pub const MAX_SOURCE_SKUS: usize = 2_000;
/// Most suppliers listed for one SKU in `sources`.
pub const MAX_SOURCES_PER_SKU: usize = 100;
