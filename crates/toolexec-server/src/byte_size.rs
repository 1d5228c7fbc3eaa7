//! Estimating the memory a batch holds, by the length of its JSON.
//!
//! Serializing into a counter allocates nothing and costs about as much as answering
//! the request does; the JSON length tracks the heap a value holds closely enough for
//! a budget (strings and numbers dominate), plus the fixed size of each envelope.

use std::io;

use serde::Serialize;
use toolexec::Envelope;

/// The length of `value` serialized as JSON (0 if it cannot be serialized).
pub(crate) fn json_size(value: &impl Serialize) -> usize {
    let mut counter = Counter(0);
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        Err(_) => 0,
    }
}

/// The estimated bytes `envelopes` hold: their JSON plus each envelope's own size.
pub(crate) fn envelopes_size(envelopes: &[Envelope]) -> usize {
    json_size(&envelopes).saturating_add(
        envelopes
            .len()
            .saturating_mul(std::mem::size_of::<Envelope>()),
    )
}

struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_size_is_the_serialized_length() {
        let value = serde_json::json!({"a": [1, 2, "three"]});
        assert_eq!(json_size(&value), value.to_string().len());
    }
}
