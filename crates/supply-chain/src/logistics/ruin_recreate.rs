//! Ruin-and-recreate iterated local search that continues from the vrp-core solution.
//!
//! Written by hand (not a vrp-core feature) because vrp-core's time-limited runs on small
//! CVRP instances vary a lot with machine load: the same budget ends anywhere from the
//! optimum to 6 % above it. Removing a cluster of nearby stops, reinserting them at their
//! cheapest feasible places and polishing with [`super::local_search::polish`], with
//! annealing-style acceptance, reliably closes that gap within the remaining budget.
//! Randomness comes from a seeded generator.

use std::time::Instant;

use super::local_search::{polish, Routes};

/// What the search may use.
pub struct Budget<'a> {
    /// Stop at this instant.
    pub until: Instant,
    /// Stop after this many iterations.
    pub max_iterations: usize,
    /// Most routes allowed.
    pub max_routes: usize,
    /// Stop early when this returns true.
    pub stop: &'a dyn Fn() -> bool,
}

impl std::fmt::Debug for Budget<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget")
            .field("until", &self.until)
            .field("max_iterations", &self.max_iterations)
            .field("max_routes", &self.max_routes)
            .finish_non_exhaustive()
    }
}

impl Budget<'_> {
    /// Whether the time is up or the caller asked to stop.
    pub fn is_spent(&self) -> bool {
        Instant::now() >= self.until || (self.stop)()
    }
}

/// The total length of `routes` over `matrix` (`size` locations, depot 0).
pub fn total(matrix: &[f64], size: usize, routes: &Routes) -> f64 {
    routes
        .iter()
        .map(|r| {
            let mut prev = 0;
            let mut sum = 0.0;
            for &s in r {
                sum += matrix[prev * size + s + 1];
                prev = s + 1;
            }
            sum + matrix[prev * size]
        })
        .sum()
}

/// Most stops one ruin removes.
const MAX_RUIN: usize = 15;

/// Improves `start` and returns the best routes found.
pub fn improve(
    start: Routes,
    matrix: &[f64],
    demands: &[i64],
    capacity: i64,
    budget: &Budget<'_>,
    seed: u64,
) -> Routes {
    let n = demands.len();
    let size = n + 1;
    let mut rng = fastrand::Rng::with_seed(seed);
    let spent = || budget.is_spent();
    let mut current = start;
    polish(&mut current, matrix, demands, capacity, 50, &spent);
    let mut current_cost = total(matrix, size, &current);
    let mut best = current.clone();
    let mut best_cost = current_cost;
    if n < 3 {
        return best;
    }
    // Each stop's nearest other stops, nearest first (no more than a ruin removes).
    let mut neighbours: Vec<Vec<usize>> = Vec::with_capacity(n);
    for s in 0..n {
        if spent() {
            return best;
        }
        let row = &matrix[(s + 1) * size..(s + 2) * size];
        let nearer = |a: &usize, b: &usize| row[a + 1].total_cmp(&row[b + 1]).then(a.cmp(b));
        let mut others: Vec<usize> = (0..n).filter(|&t| t != s).collect();
        let keep = others.len().min(MAX_RUIN);
        others.select_nth_unstable_by(keep - 1, nearer);
        others.truncate(keep);
        others.sort_by(nearer);
        neighbours.push(others);
    }
    let start_temperature = 0.03 * current_cost / n as f64;
    // Small instances settle quickly; stop once the best has not moved for a while.
    let stall_limit = 200 * n + 1000;
    let mut last_improvement = 0;
    for iteration in 0..budget.max_iterations {
        if spent() || iteration - last_improvement > stall_limit {
            break;
        }
        let mut candidate = current.clone();
        let seed_stop = rng.usize(..n);
        let count = rng.usize(2..=(n / 4).clamp(3, MAX_RUIN));
        let removed: Vec<usize> = if rng.bool() {
            std::iter::once(seed_stop)
                .chain(neighbours[seed_stop].iter().copied())
                .take(count)
                .collect()
        } else {
            let mut all: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut all);
            all.truncate(count);
            all
        };
        for route in &mut candidate {
            route.retain(|s| !removed.contains(s));
        }
        candidate.retain(|r| !r.is_empty());
        let mut order = removed;
        rng.shuffle(&mut order);
        if !recreate(
            &mut candidate,
            &order,
            matrix,
            size,
            demands,
            capacity,
            budget.max_routes,
        ) {
            continue;
        }
        polish(&mut candidate, matrix, demands, capacity, 10, &spent);
        let cost = total(matrix, size, &candidate);
        let progress = iteration as f64 / budget.max_iterations as f64;
        let temperature = start_temperature * (1.0 - progress);
        let accept = cost < current_cost - 1e-9
            || (temperature > 0.0 && rng.f64() < (-(cost - current_cost) / temperature).exp());
        if accept {
            current = candidate;
            current_cost = cost;
            if cost < best_cost - 1e-9 {
                best = current.clone();
                best_cost = cost;
                last_improvement = iteration;
            }
        }
    }
    best
}

/// Inserts each stop of `stops` at its cheapest feasible position (as the recreate step
/// does), for stops a time-limited construction left out; returns those that fit
/// nowhere. Stops early, leaving the rest out, when `stop` returns true.
pub fn insert_missing(
    routes: &mut Routes,
    stops: &[usize],
    matrix: &[f64],
    demands: &[i64],
    capacity: i64,
    max_routes: usize,
    stop: &dyn Fn() -> bool,
) -> Vec<usize> {
    let size = demands.len() + 1;
    let mut left_out = Vec::new();
    for (k, &s) in stops.iter().enumerate() {
        if stop() {
            left_out.extend_from_slice(&stops[k..]);
            break;
        }
        if !insert_one(routes, s, matrix, size, demands, capacity, max_routes) {
            left_out.push(s);
        }
    }
    left_out
}

/// Inserts each stop at its cheapest feasible position, opening a route when none fits
/// and the route limit allows; false when a stop cannot be placed.
fn recreate(
    routes: &mut Routes,
    stops: &[usize],
    matrix: &[f64],
    size: usize,
    demands: &[i64],
    capacity: i64,
    max_routes: usize,
) -> bool {
    stops
        .iter()
        .all(|&s| insert_one(routes, s, matrix, size, demands, capacity, max_routes))
}

/// Inserts stop `s` at its cheapest feasible position, opening a route when none fits
/// (or a fresh route is cheaper) and the route limit allows; false when it fits nowhere.
fn insert_one(
    routes: &mut Routes,
    s: usize,
    matrix: &[f64],
    size: usize,
    demands: &[i64],
    capacity: i64,
    max_routes: usize,
) -> bool {
    let d = |a: usize, b: usize| matrix[a * size + b];
    let mut best: Option<(usize, usize, f64)> = None;
    for (r, route) in routes.iter().enumerate() {
        let load: i64 = route.iter().map(|&t| demands[t]).sum();
        if load + demands[s] > capacity {
            continue;
        }
        for j in 0..=route.len() {
            let a = if j == 0 { 0 } else { route[j - 1] + 1 };
            let b = if j == route.len() { 0 } else { route[j] + 1 };
            let delta = d(a, s + 1) + d(s + 1, b) - d(a, b);
            if best.is_none_or(|(_, _, c)| delta < c) {
                best = Some((r, j, delta));
            }
        }
    }
    let fresh = d(0, s + 1) + d(s + 1, 0);
    match best {
        Some((r, j, delta)) if routes.len() >= max_routes || delta <= fresh => {
            routes[r].insert(j, s);
            true
        }
        _ if routes.len() < max_routes => {
            routes.push(vec![s]);
            true
        }
        _ => false,
    }
}
