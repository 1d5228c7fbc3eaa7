//! Capacitated vehicle routing, solved with the `vrp-core` metaheuristic.
//!
//! The problem is handed to vrp-core as a distance matrix, one delivery job per stop and
//! identical vehicles starting and ending at the depot; the goal is "all stops served,
//! then least distance". vrp-core gets 60 % of the time limit; stops its construction
//! had no time to place are inserted at their cheapest places, and a ruin-and-recreate
//! search ([`super::ruin_recreate`]) continues from that solution for the rest. Every
//! phase stops at the time limit, its iteration limit, or when the caller cancels:
//! vrp-core through its [`Quota`], the searches by asking between steps.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use vrp_core::prelude::*;

use super::ruin_recreate::{improve, insert_missing, Budget};
use vrp_core::rosomaxa::evolution::TelemetryMode;
use vrp_core::rosomaxa::utils::{Parallelism, Quota};

/// A CVRP instance over a distance matrix; location 0 is the depot, stop `i` is
/// location `i + 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct CvrpProblem {
    /// Row-major `(n + 1) x (n + 1)` distances.
    pub matrix: Vec<f64>,
    /// Integer demand of each stop, in capacity units.
    pub demands: Vec<i32>,
    /// Integer capacity of each vehicle.
    pub capacity: i32,
    /// Number of vehicles available; at most one per stop is built, as more could
    /// never be used.
    pub vehicles: usize,
}

/// When to stop searching.
#[derive(Clone)]
pub struct SearchLimits {
    /// Wall-clock limit.
    pub time_limit: Duration,
    /// Limit on vrp-core generations (also capped at `50 n + 100` for `n` stops); the
    /// ruin-and-recreate search that follows may run ten times as many iterations, and
    /// stops early once `200 n + 1000` iterations pass without a new best.
    pub max_generations: usize,
    /// Set from the outside to stop early (cancellation).
    pub stop: Option<Arc<dyn Fn() -> bool + Send + Sync>>,
}

impl std::fmt::Debug for SearchLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchLimits")
            .field("time_limit", &self.time_limit)
            .field("max_generations", &self.max_generations)
            .finish_non_exhaustive()
    }
}

/// A solved instance: routes as stop indices (0-based, depot excluded).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvrpSolution {
    /// Each vehicle's stops in visiting order.
    pub routes: Vec<Vec<usize>>,
    /// Total distance, summed from the matrix.
    pub total_distance: f64,
    /// Stops that could not be served.
    pub unassigned: Vec<usize>,
}

/// The share of the time limit given to vrp-core; the rest goes to the ruin-and-recreate
/// search that continues from its solution.
const VRP_CORE_SHARE: f64 = 0.6;

struct DeadlineQuota {
    until: Instant,
    stop: Option<Arc<dyn Fn() -> bool + Send + Sync>>,
}

impl Quota for DeadlineQuota {
    fn is_reached(&self) -> bool {
        Instant::now() >= self.until || self.stop.as_ref().is_some_and(|stop| stop())
    }
}

/// Solves the instance. Errors are the solver's own (bad matrix sizes, no vehicles).
pub fn solve(problem: &CvrpProblem, limits: &SearchLimits) -> GenericResult<CvrpSolution> {
    let started = Instant::now();
    let n = problem.demands.len();
    let fleet = problem.vehicles.clamp(1, n.max(1));
    // vrp-core's problem build (its job index) does not look at the quota: skip it when
    // the call is already over.
    if n == 0 || limits.stop.as_ref().is_some_and(|stop| stop()) {
        return Ok(CvrpSolution {
            routes: Vec::new(),
            total_distance: 0.0,
            unassigned: (0..n).collect(),
        });
    }
    let transport: Arc<dyn TransportCost> = Arc::new(SimpleTransportCost::new(
        problem.matrix.clone(),
        problem.matrix.clone(),
    )?);
    let goal = GoalContextBuilder::with_features(&[
        MinimizeUnassignedBuilder::new("min-unassigned").build()?,
        TransportFeatureBuilder::new("min-distance")
            .set_transport_cost(transport.clone())
            .set_time_constrained(false)
            .build_minimize_distance()?,
        CapacityFeatureBuilder::<SingleDimLoad>::new("capacity").build()?,
    ])?
    .build()?;
    let jobs = problem
        .demands
        .iter()
        .enumerate()
        .map(|(i, &demand)| {
            SingleBuilder::default()
                .id(format!("stop{i}").as_str())
                .demand(Demand::delivery(demand))
                .location(i + 1)?
                .build_as_job()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let vehicles = (0..fleet)
        .map(|v| {
            VehicleBuilder::default()
                .id(format!("v{v}").as_str())
                .add_detail(
                    VehicleDetailBuilder::default()
                        .set_start_location(0)
                        .set_end_location(0)
                        .build()?,
                )
                .capacity(SingleDimLoad::new(problem.capacity))
                .build()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let vrp = Arc::new(
        ProblemBuilder::default()
            .add_jobs(jobs.into_iter())
            .add_vehicles(vehicles.into_iter())
            .with_goal(goal)
            .with_transport_cost(transport)
            .with_logger(Arc::new(|_: &str| {}))
            .build()?,
    );
    let quota: Arc<dyn Quota> = Arc::new(DeadlineQuota {
        until: started + limits.time_limit.mul_f64(VRP_CORE_SHARE),
        stop: limits.stop.clone(),
    });
    let environment = Arc::new(Environment::new(
        Arc::new(DefaultRandom::new_repeatable()),
        Some(quota),
        Parallelism::default(),
        Arc::new(|_: &str| {}),
        false,
    ));
    let config = VrpConfigBuilder::new(vrp.clone())
        .set_environment(environment)
        .set_telemetry_mode(TelemetryMode::None)
        .prebuild()?
        .with_max_generations(Some(limits.max_generations.min(50 * n + 100)))
        .build()?;
    let solution = Solver::new(vrp, config).solve()?;
    let mut routes = Vec::new();
    for locations in solution.get_locations() {
        let stops: Vec<usize> = locations
            .filter(|&loc| loc > 0 && loc <= n)
            .map(|loc| loc - 1)
            .collect();
        if !stops.is_empty() {
            routes.push(stops);
        }
    }
    let demands: Vec<i64> = problem.demands.iter().map(|&d| i64::from(d)).collect();
    let no_stop = || false;
    let stop: &dyn Fn() -> bool = match &limits.stop {
        Some(stop) => stop.as_ref(),
        None => &no_stop,
    };
    let budget = Budget {
        until: started + limits.time_limit,
        max_iterations: limits.max_generations.saturating_mul(10),
        max_routes: fleet,
        stop,
    };
    let missing = unserved(n, &routes);
    let left_out = if missing.is_empty() {
        missing
    } else {
        insert_missing(
            &mut routes,
            &missing,
            &problem.matrix,
            &demands,
            i64::from(problem.capacity),
            fleet,
            &|| budget.is_spent(),
        )
    };
    if left_out.is_empty() {
        routes = improve(
            routes,
            &problem.matrix,
            &demands,
            i64::from(problem.capacity),
            &budget,
            7,
        );
    }
    let unassigned = unserved(n, &routes);
    let total_distance = routes
        .iter()
        .map(|r| route_distance(&problem.matrix, n + 1, r))
        .sum();
    Ok(CvrpSolution {
        routes,
        total_distance,
        unassigned,
    })
}

/// The stops of `0..n` that no route visits, in order.
fn unserved(n: usize, routes: &[Vec<usize>]) -> Vec<usize> {
    let mut served = vec![false; n];
    routes.iter().flatten().for_each(|&s| served[s] = true);
    (0..n).filter(|&s| !served[s]).collect()
}

/// The length of depot -> stops -> depot.
pub fn route_distance(matrix: &[f64], size: usize, stops: &[usize]) -> f64 {
    let mut previous = 0;
    let mut total = 0.0;
    for &s in stops {
        total += matrix[previous * size + s + 1];
        previous = s + 1;
    }
    total + matrix[previous * size]
}
