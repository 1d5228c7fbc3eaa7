//! `rank_suppliers`: TOPSIS or weighted-sum ranking with caller weights and directions.

use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolexec::ToolError;

use super::{store_error, RunContext, ToolDef};
use crate::input::{finite, items_within, non_negative, parse, round};
use crate::limits::{MAX_CRITERIA, MAX_SUPPLIERS};
use crate::supplier::mcdm::{topsis, weighted_sum, Criterion, Direction};
use crate::supplier::performance::{analyze, TrendThresholds};
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "rank_suppliers",
    group: "supplier_analyzer",
    description: "Ranks suppliers on several criteria by TOPSIS (vector normalization, weighted \
        distances to the ideal and anti-ideal; score = closeness coefficient in [0, 1]) or by \
        weighted sum of min-max normalized criteria. Weights are normalized to sum to 1; \
        direction `benefit` (more is better) or `cost`. Give inline `suppliers` (each an object \
        with `id` and criterion values, top-level or under `values`) with `criteria`, or omit \
        `suppliers` to rank the database's suppliers on their performance metrics (default \
        criteria: on_time_rate, fill_rate, defect_rate, lead_time_mean_days, \
        lead_time_std_days, price_index). Scores rounded to 4 decimals.",
    schema,
    handler,
};

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "suppliers": {"type": "array", "minItems": 1, "maxItems": MAX_SUPPLIERS, "items": {"type": "object", "required": ["id"]}},
            "criteria": {"type": "array", "minItems": 1, "maxItems": MAX_CRITERIA, "items": {"type": "object", "additionalProperties": false,
                "required": ["name", "weight", "direction"],
                "properties": {"name": {"type": "string"}, "weight": {"type": "number", "minimum": 0},
                               "direction": {"enum": ["benefit", "cost"]}}}},
            "method": {"enum": ["topsis", "weighted_sum"], "default": "topsis"}
        }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    suppliers: Option<Vec<Map<String, Value>>>,
    criteria: Option<Vec<CriterionIn>>,
    method: Option<Method>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionIn {
    name: String,
    weight: f64,
    direction: Direction,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Method {
    Topsis,
    WeightedSum,
}

fn default_criteria() -> Vec<Criterion> {
    [
        ("on_time_rate", 0.25, Direction::Benefit),
        ("fill_rate", 0.15, Direction::Benefit),
        ("defect_rate", 0.25, Direction::Cost),
        ("lead_time_mean_days", 0.10, Direction::Cost),
        ("lead_time_std_days", 0.10, Direction::Cost),
        ("price_index", 0.15, Direction::Cost),
    ]
    .into_iter()
    .map(|(name, weight, direction)| Criterion {
        name: name.into(),
        weight,
        direction,
    })
    .collect()
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let req: Input = parse(input)?;
    if let Some(list) = &req.suppliers {
        items_within("suppliers", list, MAX_SUPPLIERS)?;
    }
    if let Some(list) = &req.criteria {
        items_within("criteria", list, MAX_CRITERIA)?;
    }
    let method = req.method.unwrap_or(Method::Topsis);
    let criteria: Vec<Criterion> = match req.criteria {
        Some(list) => {
            let mut out = Vec::with_capacity(list.len());
            for (j, c) in list.into_iter().enumerate() {
                non_negative(&format!("criteria[{j}].weight"), c.weight)?;
                if out.iter().any(|o: &Criterion| o.name == c.name) {
                    return Err(ToolError::invalid_input(
                        format!("criteria[{j}].name"),
                        "duplicate criterion",
                    ));
                }
                out.push(Criterion {
                    name: c.name,
                    weight: c.weight,
                    direction: c.direction,
                });
            }
            if out.iter().all(|c| c.weight == 0.0) {
                return Err(ToolError::invalid_input(
                    "criteria",
                    "at least one weight must be > 0",
                ));
            }
            out
        }
        None if req.suppliers.is_some() => {
            return Err(ToolError::invalid_input(
                "criteria",
                "required with inline suppliers",
            ))
        }
        None => default_criteria(),
    };
    let suppliers = match req.suppliers {
        Some(list) => list,
        None => {
            let perf = analyze(
                &store.deliveries(None).map_err(store_error)?,
                TrendThresholds::default(),
            );
            perf.iter()
                .filter_map(|p| serde_json::to_value(p).ok())
                .filter_map(|mut v| {
                    v["id"] = v["supplier_id"].clone();
                    v.as_object().cloned()
                })
                .collect()
        }
    };
    let mut matrix = Vec::with_capacity(suppliers.len());
    let mut ids = Vec::with_capacity(suppliers.len());
    for (i, s) in suppliers.iter().enumerate() {
        let id = match s.get("id") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(ToolError::invalid_input(
                    format!("suppliers[{i}].id"),
                    "required string or number",
                ))
            }
        };
        let mut row = Vec::with_capacity(criteria.len());
        for c in &criteria {
            let value = s
                .get("values")
                .and_then(|v| v.get(&c.name))
                .or_else(|| s.get(&c.name));
            let field = format!("suppliers[{i}].{}", c.name);
            let number = value.and_then(Value::as_f64).ok_or_else(|| {
                ToolError::invalid_input(field.clone(), "missing or not a number")
            })?;
            row.push(finite(&field, number)?);
        }
        ids.push((id, s.get("name").cloned()));
        matrix.push(row);
    }
    let scores = match method {
        Method::Topsis => topsis(&matrix, &criteria),
        Method::WeightedSum => weighted_sum(&matrix, &criteria),
    };
    let mut ranked: Vec<_> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    let ranking: Vec<Value> = ranked
        .iter()
        .enumerate()
        .map(|(r, s)| {
            json!({
                "rank": r + 1,
                "id": ids[s.index].0,
                "name": ids[s.index].1,
                "score": round(s.score, 4),
                "distance_to_ideal": s.distance_to_ideal.map(|d| round(d, 6)),
                "distance_to_anti_ideal": s.distance_to_anti_ideal.map(|d| round(d, 6)),
                "values": criteria.iter().zip(&matrix[s.index]).map(|(c, v)| (c.name.clone(), json!(v))).collect::<Map<_, _>>(),
            })
        })
        .collect();
    let total: f64 = criteria.iter().map(|c| c.weight).sum();
    Ok(json!({
        "method": match method { Method::Topsis => "topsis", Method::WeightedSum => "weighted_sum" },
        "criteria": criteria.iter().map(|c| json!({"name": c.name, "weight": round(c.weight / total, 6),
            "direction": c.direction})).collect::<Vec<_>>(),
        "conventions": {"weights": "normalized to sum to 1",
            "score": match method { Method::Topsis => "closeness coefficient S-/(S+ + S-)",
                                    Method::WeightedSum => "weighted sum of min-max normalized values" }},
        "ranking": ranking,
    }))
}
