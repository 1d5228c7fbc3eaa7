//! Demand over an interval as a probability distribution (normal or Poisson), with the
//! quantile and loss functions the inventory policies need, all from `statrs`.

use statrs::distribution::{Continuous, ContinuousCDF, Discrete, DiscreteCDF, Normal, Poisson};

/// How close to 0 or 1 a probability may come before [`Demand::quantile`] holds it.
const QUANTILE_EDGE: f64 = 1e-12;

/// The largest Poisson mean accepted; beyond it the normal approximation is the tool to use.
pub const MAX_POISSON_MEAN: f64 = 100_000.0;

/// Demand over one interval (a lead time, a protection interval, a season).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Demand {
    /// Normal demand; a zero standard deviation means deterministic demand.
    Normal {
        /// Mean demand over the interval.
        mean: f64,
        /// Standard deviation of demand over the interval.
        std: f64,
    },
    /// Poisson demand (integer units).
    Poisson {
        /// Mean demand over the interval.
        mean: f64,
    },
}

impl Demand {
    /// The mean demand.
    pub fn mean(&self) -> f64 {
        match *self {
            Demand::Normal { mean, .. } | Demand::Poisson { mean } => mean,
        }
    }

    /// The standard deviation of demand.
    pub fn std(&self) -> f64 {
        match *self {
            Demand::Normal { std, .. } => std,
            Demand::Poisson { mean } => mean.sqrt(),
        }
    }

    /// The same kind of demand over an interval `factor` times as long (independent
    /// periods: the mean scales with `factor`, the variance too).
    pub fn scaled(&self, factor: f64) -> Demand {
        match *self {
            Demand::Normal { mean, std } => Demand::Normal {
                mean: mean * factor,
                std: std * factor.sqrt(),
            },
            Demand::Poisson { mean } => Demand::Poisson {
                mean: mean * factor,
            },
        }
    }

    /// The smallest level `x` with `P(D <= x) >= p` (integer for Poisson). `p` is held
    /// within `[1e-12, 1 - 1e-12]` (a ratio of extreme costs can round to 0 or 1, whose
    /// quantiles are infinite), and a NaN `p` gives the mean.
    pub fn quantile(&self, p: f64) -> f64 {
        if p.is_nan() {
            return self.mean();
        }
        let p = p.clamp(QUANTILE_EDGE, 1.0 - QUANTILE_EDGE);
        match *self {
            Demand::Normal { mean, std } => match Normal::new(mean, std) {
                Ok(n) if std > 0.0 => n.inverse_cdf(p),
                _ => mean,
            },
            Demand::Poisson { mean } => match Poisson::new(mean) {
                Ok(d) => d.inverse_cdf(p) as f64,
                Err(_) => 0.0,
            },
        }
    }

    /// `P(D <= x)`.
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Demand::Normal { mean, std } => match Normal::new(mean, std) {
                Ok(n) if std > 0.0 => n.cdf(x),
                _ => f64::from(u8::from(x >= mean)),
            },
            Demand::Poisson { mean } => match Poisson::new(mean) {
                Ok(d) if x >= 0.0 => d.cdf(x.floor() as u64),
                _ => 0.0,
            },
        }
    }

    /// The expected shortage `E[(D - x)+]` (the first-order loss function).
    pub fn expected_shortage(&self, x: f64) -> f64 {
        match *self {
            Demand::Normal { mean, std } => {
                if std <= 0.0 {
                    return (mean - x).max(0.0);
                }
                let z = (x - mean) / std;
                std * standard_normal_loss(z)
            }
            Demand::Poisson { mean } => (mean - x + self.expected_leftover(x)).max(0.0),
        }
    }

    /// The expected leftover `E[(x - D)+]`.
    pub fn expected_leftover(&self, x: f64) -> f64 {
        match *self {
            Demand::Normal { mean, .. } => x - mean + self.expected_shortage(x),
            Demand::Poisson { mean } => {
                let Ok(d) = Poisson::new(mean) else {
                    return x.max(0.0);
                };
                if x < 0.0 {
                    return 0.0;
                }
                let top = x.floor() as u64;
                (0..=top).map(|k| (x - k as f64) * d.pmf(k)).sum()
            }
        }
    }
}

/// The standard normal loss function `L(z) = phi(z) - z (1 - Phi(z))`.
pub fn standard_normal_loss(z: f64) -> f64 {
    let n = Normal::standard();
    n.pdf(z) - z * n.sf(z)
}

/// The standard normal quantile `z` of a probability (the safety factor of a cycle
/// service level).
pub fn z_score(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}
