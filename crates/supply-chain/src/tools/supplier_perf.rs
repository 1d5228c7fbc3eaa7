//! `analyze_supplier_performance`, and the delivery input shared with the risk tool.

use serde::Deserialize;
use serde_json::{json, Value};
use toolexec::ToolError;

use super::{not_found, store_error, to_json, RunContext, ToolDef};
use crate::dates::parse_iso;
use crate::input::{items_within, non_negative, parse, round_json};
use crate::limits::MAX_DELIVERIES;
use crate::model::Delivery;
use crate::supplier::performance::{analyze, TrendThresholds};
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "analyze_supplier_performance",
    group: "supplier_analyzer",
    description: "Per supplier: on-time rate (arrived on or before the promised date), fill rate \
        (units received / ordered), defect rate (defective / received), lead time (order to \
        arrival) mean and sample standard deviation in days, mean days late, price index \
        (quantity-weighted price over the mean price of the same SKU across suppliers; 1.0 = \
        average), spend, and trend (earlier vs recent half of deliveries by order date: \
        deteriorating if on-time drops >= 10 points or defects rise >= 1 point). Give \
        `supplier_id` (database; omit for all suppliers) or inline `deliveries` with ISO dates. \
        Rates are fractions in [0, 1]; numbers rounded to 4 decimals.",
    schema,
    handler,
};

pub(super) fn delivery_schema() -> Value {
    json!({"type": "array", "minItems": 1, "maxItems": MAX_DELIVERIES, "items": {"type": "object", "additionalProperties": false,
        "required": ["supplier_id", "order_date", "promised_date", "actual_date", "quantity_ordered"],
        "properties": {
            "supplier_id": {"type": "string"}, "sku": {"type": "string"},
            "order_date": {"type": "string", "format": "date"},
            "promised_date": {"type": "string", "format": "date"},
            "actual_date": {"type": "string", "format": "date"},
            "quantity_ordered": {"type": "number", "exclusiveMinimum": 0},
            "quantity_received": {"type": "number", "minimum": 0},
            "quantity_defective": {"type": "number", "minimum": 0},
            "unit_price": {"type": "number", "minimum": 0}}}})
}

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "supplier_id": {"type": "string"},
            "deliveries": delivery_schema()
        }
    })
}

/// One inline delivery record.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeliveryIn {
    supplier_id: String,
    sku: Option<String>,
    order_date: String,
    promised_date: String,
    actual_date: String,
    quantity_ordered: f64,
    quantity_received: Option<f64>,
    #[serde(default)]
    quantity_defective: f64,
    #[serde(default)]
    unit_price: f64,
}

/// Validates inline deliveries into model records.
pub(super) fn convert(list: Vec<DeliveryIn>) -> Result<Vec<Delivery>, ToolError> {
    items_within("deliveries", &list, MAX_DELIVERIES)?;
    let mut out = Vec::with_capacity(list.len());
    for (i, d) in list.into_iter().enumerate() {
        let at = |f: &str| format!("deliveries[{i}].{f}");
        let date = |f: &str, text: &str| {
            parse_iso(text).ok_or_else(|| {
                ToolError::invalid_input(at(f), format!("not a YYYY-MM-DD date: {text:?}"))
            })
        };
        let order_day = date("order_date", &d.order_date)?;
        let promised_day = date("promised_date", &d.promised_date)?;
        let actual_day = date("actual_date", &d.actual_date)?;
        if actual_day < order_day {
            return Err(ToolError::invalid_input(
                at("actual_date"),
                "is before order_date",
            ));
        }
        let ordered = non_negative(&at("quantity_ordered"), d.quantity_ordered)?;
        if ordered <= 0.0 {
            return Err(ToolError::invalid_input(
                at("quantity_ordered"),
                "must be > 0",
            ));
        }
        let received = non_negative(
            &at("quantity_received"),
            d.quantity_received.unwrap_or(ordered),
        )?;
        let defective = non_negative(&at("quantity_defective"), d.quantity_defective)?;
        if defective > received {
            return Err(ToolError::invalid_input(
                at("quantity_defective"),
                "exceeds quantity_received",
            ));
        }
        out.push(Delivery {
            supplier_id: d.supplier_id,
            sku: d.sku.unwrap_or_default(),
            order_day,
            promised_day,
            actual_day,
            quantity_ordered: ordered,
            quantity_received: received,
            quantity_defective: defective,
            unit_price: non_negative(&at("unit_price"), d.unit_price)?,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    supplier_id: Option<String>,
    deliveries: Option<Vec<DeliveryIn>>,
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let req: Input = parse(input)?;
    let deliveries = match req.deliveries {
        Some(list) => convert(list)?,
        None => store.deliveries(None).map_err(store_error)?,
    };
    let mut perf = analyze(&deliveries, TrendThresholds::default());
    if let Some(id) = &req.supplier_id {
        perf.retain(|p| &p.supplier_id == id);
        if perf.is_empty() {
            return Err(not_found(format!("no deliveries for supplier {id}")));
        }
    }
    let mut suppliers = to_json(&perf)?;
    round_json(&mut suppliers, 4);
    Ok(json!({
        "conventions": {"on_time": "actual_date <= promised_date", "lead_time": "days from order to arrival, sample std",
            "price_index": "1.0 = mean price of the same SKU across suppliers", "rates": "fractions in [0, 1]"},
        "suppliers": suppliers,
    }))
}
