//! Multi-criteria ranking: TOPSIS and the weighted sum.

use serde::{Deserialize, Serialize};

/// Whether more of a criterion is better or worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Larger is better.
    Benefit,
    /// Smaller is better.
    Cost,
}

/// One criterion's weight and direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    /// The criterion's name.
    pub name: String,
    /// Its weight (weights are normalized to sum to 1).
    pub weight: f64,
    /// Benefit or cost.
    pub direction: Direction,
}

/// One alternative's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Index of the alternative in the input.
    pub index: usize,
    /// TOPSIS closeness coefficient or weighted-sum score, in [0, 1].
    pub score: f64,
    /// Distance to the ideal solution (TOPSIS only).
    pub distance_to_ideal: Option<f64>,
    /// Distance to the anti-ideal solution (TOPSIS only).
    pub distance_to_anti_ideal: Option<f64>,
}

fn normalized_weights(criteria: &[Criterion]) -> Vec<f64> {
    let total: f64 = criteria.iter().map(|c| c.weight).sum();
    criteria
        .iter()
        .map(|c| if total > 0.0 { c.weight / total } else { 0.0 })
        .collect()
}

/// TOPSIS (Hwang & Yoon 1981): vector-normalize each column, weight it, measure the
/// Euclidean distances `S+` and `S-` to the ideal and anti-ideal points, and score
/// `C = S- / (S+ + S-)`. `matrix[i][j]` is alternative i on criterion j.
pub fn topsis(matrix: &[Vec<f64>], criteria: &[Criterion]) -> Vec<Score> {
    let weights = normalized_weights(criteria);
    let columns = criteria.len();
    let norms: Vec<f64> = (0..columns)
        .map(|j| matrix.iter().map(|row| row[j].powi(2)).sum::<f64>().sqrt())
        .collect();
    let weighted: Vec<Vec<f64>> = matrix
        .iter()
        .map(|row| {
            (0..columns)
                .map(|j| {
                    if norms[j] > 0.0 {
                        weights[j] * row[j] / norms[j]
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let column = |j: usize| weighted.iter().map(move |row| row[j]);
    let (ideal, anti): (Vec<f64>, Vec<f64>) = (0..columns)
        .map(|j| {
            let max = column(j).fold(f64::NEG_INFINITY, f64::max);
            let min = column(j).fold(f64::INFINITY, f64::min);
            match criteria[j].direction {
                Direction::Benefit => (max, min),
                Direction::Cost => (min, max),
            }
        })
        .unzip();
    weighted
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let dist = |target: &[f64]| {
                row.iter()
                    .zip(target)
                    .map(|(v, t)| (v - t).powi(2))
                    .sum::<f64>()
                    .sqrt()
            };
            let (plus, minus) = (dist(&ideal), dist(&anti));
            let score = if plus + minus > 0.0 {
                minus / (plus + minus)
            } else {
                1.0
            };
            Score {
                index,
                score,
                distance_to_ideal: Some(plus),
                distance_to_anti_ideal: Some(minus),
            }
        })
        .collect()
}

/// The weighted sum of min-max normalized criteria (benefit: `(x - min)/(max - min)`,
/// cost: `(max - x)/(max - min)`; a constant column scores 1 for everyone).
pub fn weighted_sum(matrix: &[Vec<f64>], criteria: &[Criterion]) -> Vec<Score> {
    let weights = normalized_weights(criteria);
    let bounds: Vec<(f64, f64)> = (0..criteria.len())
        .map(|j| {
            matrix
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), row| {
                    (lo.min(row[j]), hi.max(row[j]))
                })
        })
        .collect();
    matrix
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let score = (0..criteria.len())
                .map(|j| {
                    let (lo, hi) = bounds[j];
                    let unit = if hi > lo {
                        match criteria[j].direction {
                            Direction::Benefit => (row[j] - lo) / (hi - lo),
                            Direction::Cost => (hi - row[j]) / (hi - lo),
                        }
                    } else {
                        1.0
                    };
                    weights[j] * unit
                })
                .sum();
            Score {
                index,
                score,
                distance_to_ideal: None,
                distance_to_anti_ideal: None,
            }
        })
        .collect()
}
