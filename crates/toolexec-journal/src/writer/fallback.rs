//! Whether an envelope's result came from a fallback, read without parsing the
//! envelope when it has the engine's compact shape.

use serde::Deserialize;

/// The envelope's top-level `fallback` flag, or `None` when the text says nothing
/// about it.
///
/// The engine writes `..."fallback":<bool>,"attempt_log":[...]}` with no other
/// `"attempt_log":` key after it (string contents are escaped, and attempt records have
/// no such key), so the last `"attempt_log":` is the top-level one. Any other shape is
/// parsed in full.
pub(crate) fn envelope_fallback(envelope_json: &str) -> Option<bool> {
    if let Some(at) = envelope_json.rfind(",\"attempt_log\":") {
        let before = &envelope_json[..at];
        if before.ends_with("\"fallback\":true") {
            return Some(true);
        }
        if before.ends_with("\"fallback\":false") {
            return Some(false);
        }
    }
    #[derive(Deserialize)]
    struct FallbackOnly {
        fallback: Option<bool>,
    }
    serde_json::from_str::<FallbackOnly>(envelope_json)
        .ok()
        .and_then(|e| e.fallback)
}

#[cfg(test)]
mod tests {
    use super::envelope_fallback;

    #[test]
    fn compact_envelope_is_read_without_parsing() {
        let envelope =
            r#"{"result":{"fallback":false,"attempt_log":1},"fallback":true,"attempt_log":[]}"#;
        assert_eq!(envelope_fallback(envelope), Some(true));
    }

    #[test]
    fn other_shapes_are_parsed() {
        let envelope = r#"{ "fallback" : true, "attempt_log" : [] }"#;
        assert_eq!(envelope_fallback(envelope), Some(true));
        assert_eq!(envelope_fallback("not json"), None);
        assert_eq!(envelope_fallback(r#"{"status":"success"}"#), None);
    }
}
