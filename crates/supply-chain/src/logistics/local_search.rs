//! A deterministic polishing pass for CVRP solutions: best-improvement local search
//! over relocate, swap, 2-opt and 2-opt* moves, until no move shortens the routes.
//!
//! Written by hand because it is small and it runs after the vrp-core metaheuristic,
//! whose time-limited runs sometimes stop a few improving moves short of a local
//! optimum, most of all on a busy machine; the polish makes short runs more
//! reliable without changing what the solver does.

/// Routes as stop indices (0-based; location of stop `s` is `s + 1`, depot 0).
pub type Routes = Vec<Vec<usize>>;

struct Ctx<'a> {
    matrix: &'a [f64],
    size: usize,
    demands: &'a [i64],
    capacity: i64,
    stop: &'a dyn Fn() -> bool,
}

impl Ctx<'_> {
    fn d(&self, a: usize, b: usize) -> f64 {
        self.matrix[a * self.size + b]
    }
    /// Location of position `i` in `route`, with the depot at -1 and len.
    fn at(route: &[usize], i: isize) -> usize {
        if i < 0 || i as usize >= route.len() {
            0
        } else {
            route[i as usize] + 1
        }
    }
    fn load(&self, route: &[usize]) -> i64 {
        route.iter().map(|&s| self.demands[s]).sum()
    }
}

const EPS: f64 = 1e-9;

/// Improves `routes` in place until no relocate, swap, 2-opt or 2-opt* move helps,
/// `max_passes` passes are done, or `stop` returns true (asked once per route scanned,
/// so a large instance stops promptly). Capacities are never exceeded; stopping early
/// leaves valid routes.
pub fn polish(
    routes: &mut Routes,
    matrix: &[f64],
    demands: &[i64],
    capacity: i64,
    max_passes: usize,
    stop: &dyn Fn() -> bool,
) {
    let ctx = Ctx {
        matrix,
        size: demands.len() + 1,
        demands,
        capacity,
        stop,
    };
    for _ in 0..max_passes {
        if stop() {
            break;
        }
        let improved = two_opt(&ctx, routes)
            | relocate(&ctx, routes)
            | swap(&ctx, routes)
            | two_opt_star(&ctx, routes);
        routes.retain(|r| !r.is_empty());
        if !improved {
            break;
        }
    }
}

fn two_opt(ctx: &Ctx<'_>, routes: &mut Routes) -> bool {
    let mut any = false;
    for route in routes.iter_mut() {
        let n = route.len() as isize;
        let mut improved = true;
        while improved && !(ctx.stop)() {
            improved = false;
            for i in 0..n - 1 {
                for j in i + 1..n {
                    let (a, b) = (Ctx::at(route, i - 1), Ctx::at(route, i));
                    let (c, d) = (Ctx::at(route, j), Ctx::at(route, j + 1));
                    let delta = ctx.d(a, c) + ctx.d(b, d) - ctx.d(a, b) - ctx.d(c, d);
                    if delta < -EPS {
                        route[i as usize..=j as usize].reverse();
                        improved = true;
                        any = true;
                    }
                }
            }
        }
    }
    any
}

fn relocate(ctx: &Ctx<'_>, routes: &mut Routes) -> bool {
    let mut any = false;
    let mut improved = true;
    while improved {
        improved = false;
        'search: for r1 in 0..routes.len() {
            if (ctx.stop)() {
                return any;
            }
            for i in 0..routes[r1].len() as isize {
                let s = routes[r1][i as usize];
                let (p, n) = (Ctx::at(&routes[r1], i - 1), Ctx::at(&routes[r1], i + 1));
                let removal = ctx.d(p, s + 1) + ctx.d(s + 1, n) - ctx.d(p, n);
                for r2 in 0..routes.len() {
                    if r2 != r1 && ctx.load(&routes[r2]) + ctx.demands[s] > ctx.capacity {
                        continue;
                    }
                    for j in 0..=routes[r2].len() as isize {
                        if r2 == r1 && (j == i || j == i + 1) {
                            continue;
                        }
                        let (a, b) = (Ctx::at(&routes[r2], j - 1), Ctx::at(&routes[r2], j));
                        let insertion = ctx.d(a, s + 1) + ctx.d(s + 1, b) - ctx.d(a, b);
                        if insertion - removal < -EPS {
                            routes[r1].remove(i as usize);
                            let j = if r2 == r1 && j > i { j - 1 } else { j };
                            routes[r2].insert(j as usize, s);
                            improved = true;
                            any = true;
                            break 'search;
                        }
                    }
                }
            }
        }
    }
    any
}

fn swap(ctx: &Ctx<'_>, routes: &mut Routes) -> bool {
    let mut any = false;
    for r1 in 0..routes.len() {
        if (ctx.stop)() {
            return any;
        }
        for r2 in r1 + 1..routes.len() {
            let (mut l1, mut l2) = (ctx.load(&routes[r1]), ctx.load(&routes[r2]));
            for i in 0..routes[r1].len() as isize {
                for j in 0..routes[r2].len() as isize {
                    let (s, t) = (routes[r1][i as usize], routes[r2][j as usize]);
                    let diff = ctx.demands[t] - ctx.demands[s];
                    if l1 + diff > ctx.capacity || l2 - diff > ctx.capacity {
                        continue;
                    }
                    let (p1, n1) = (Ctx::at(&routes[r1], i - 1), Ctx::at(&routes[r1], i + 1));
                    let (p2, n2) = (Ctx::at(&routes[r2], j - 1), Ctx::at(&routes[r2], j + 1));
                    let before =
                        ctx.d(p1, s + 1) + ctx.d(s + 1, n1) + ctx.d(p2, t + 1) + ctx.d(t + 1, n2);
                    let after =
                        ctx.d(p1, t + 1) + ctx.d(t + 1, n1) + ctx.d(p2, s + 1) + ctx.d(s + 1, n2);
                    if after - before < -EPS {
                        routes[r1][i as usize] = t;
                        routes[r2][j as usize] = s;
                        l1 += diff;
                        l2 -= diff;
                        any = true;
                    }
                }
            }
        }
    }
    any
}

/// Exchanges the tails of two routes: r1[..=i] + r2[j+1..] and r2[..=j] + r1[i+1..].
fn two_opt_star(ctx: &Ctx<'_>, routes: &mut Routes) -> bool {
    let mut any = false;
    for r1 in 0..routes.len() {
        if (ctx.stop)() {
            return any;
        }
        for r2 in r1 + 1..routes.len() {
            let mut improved = true;
            while improved && !(ctx.stop)() {
                improved = false;
                let (a, b) = (&routes[r1], &routes[r2]);
                // prefix[k + 1] = load of r[..=k]; prefix[0] = 0 (the depot alone).
                let prefix = |r: &[usize]| -> Vec<i64> {
                    std::iter::once(0)
                        .chain(r.iter().scan(0, |sum, &s| {
                            *sum += ctx.demands[s];
                            Some(*sum)
                        }))
                        .collect()
                };
                let (prefix_a, prefix_b) = (prefix(a), prefix(b));
                let (la, lb) = (ctx.load(a), ctx.load(b));
                let mut best: Option<(isize, isize, f64)> = None;
                for i in -1..a.len() as isize {
                    let pa = prefix_a[(i + 1) as usize];
                    for j in -1..b.len() as isize {
                        let pb = prefix_b[(j + 1) as usize];
                        if pa + (lb - pb) > ctx.capacity || pb + (la - pa) > ctx.capacity {
                            continue;
                        }
                        let (x, xn) = (Ctx::at(a, i), Ctx::at(a, i + 1));
                        let (y, yn) = (Ctx::at(b, j), Ctx::at(b, j + 1));
                        let delta = ctx.d(x, yn) + ctx.d(y, xn) - ctx.d(x, xn) - ctx.d(y, yn);
                        if delta < best.map_or(-EPS, |b| b.2) {
                            best = Some((i, j, delta));
                        }
                    }
                }
                if let Some((i, j, _)) = best {
                    let (i, j) = ((i + 1) as usize, (j + 1) as usize);
                    let tail_a = routes[r1].split_off(i);
                    let tail_b = routes[r2].split_off(j);
                    routes[r1].extend(tail_b);
                    routes[r2].extend(tail_a);
                    improved = true;
                    any = true;
                }
            }
        }
    }
    any
}
