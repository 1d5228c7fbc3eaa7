//! The calls of an accepted batch, packed: every call's texts in one buffer and a few
//! numbers per call.
//!
//! A batch is journaled as accepted before any of its calls starts, on the caller's
//! thread: with a string per text, a batch of 10,000 calls was 40,000 allocations (and
//! several megabytes of fresh pages) before its first call could start. Packed, it is
//! a few growing buffers.

use crate::record::AcceptedCall;

/// Where one call's texts are in the buffer: text `k` is `bounds[k]..bounds[k + 1]`
/// (call id, tool, input, idempotency key, overrides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Packed {
    index: u32,
    bounds: [usize; 6],
    has_key: bool,
    has_overrides: bool,
}

/// The calls of a batch as accepted, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcceptedCalls {
    text: String,
    calls: Vec<Packed>,
}

/// One call of [`AcceptedCalls`], borrowed; its fields mean what
/// [`AcceptedCall`]'s do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptedCallRef<'a> {
    /// Its index in the batch.
    pub index: u32,
    /// Its call id.
    pub call_id: &'a str,
    /// The tool it asks for.
    pub tool: &'a str,
    /// Its input, as JSON text.
    pub input_json: &'a str,
    /// Its idempotency key, if any.
    pub idempotency_key: Option<&'a str>,
    /// Its per-call policy overrides as JSON text, if any.
    pub overrides_json: Option<&'a str>,
}

impl AcceptedCallRef<'_> {
    /// The call as an owned [`AcceptedCall`].
    pub fn to_accepted_call(&self) -> AcceptedCall {
        AcceptedCall {
            index: self.index,
            call_id: self.call_id.to_owned(),
            tool: self.tool.to_owned(),
            input_json: self.input_json.to_owned(),
            idempotency_key: self.idempotency_key.map(str::to_owned),
            overrides_json: self.overrides_json.map(str::to_owned),
        }
    }
}

impl AcceptedCalls {
    /// No calls, with room for `calls` of them.
    pub fn with_capacity(calls: usize) -> Self {
        Self {
            text: String::new(),
            calls: Vec::with_capacity(calls),
        }
    }

    /// Adds a call, copying its texts.
    pub fn push(&mut self, call: AcceptedCallRef<'_>) {
        let mut bounds = [self.text.len(); 6];
        let texts = [
            call.call_id,
            call.tool,
            call.input_json,
            call.idempotency_key.unwrap_or_default(),
            call.overrides_json.unwrap_or_default(),
        ];
        for (k, text) in texts.into_iter().enumerate() {
            self.text.push_str(text);
            bounds[k + 1] = self.text.len();
        }
        self.calls.push(Packed {
            index: call.index,
            bounds,
            has_key: call.idempotency_key.is_some(),
            has_overrides: call.overrides_json.is_some(),
        });
    }

    /// How many calls.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// The call at `position` (in the order given), if there is one.
    pub fn get(&self, position: usize) -> Option<AcceptedCallRef<'_>> {
        let packed = self.calls.get(position)?;
        let text = |k: usize| &self.text[packed.bounds[k]..packed.bounds[k + 1]];
        Some(AcceptedCallRef {
            index: packed.index,
            call_id: text(0),
            tool: text(1),
            input_json: text(2),
            idempotency_key: packed.has_key.then(|| text(3)),
            overrides_json: packed.has_overrides.then(|| text(4)),
        })
    }

    /// The calls, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = AcceptedCallRef<'_>> {
        (0..self.calls.len()).filter_map(|position| self.get(position))
    }

    /// The position of the call whose index is `index`: at once when calls are given
    /// in index order from 0, as the engine gives them.
    pub fn position_of(&self, index: u32) -> Option<usize> {
        match self.calls.get(index as usize) {
            Some(packed) if packed.index == index => Some(index as usize),
            _ => self.calls.iter().position(|packed| packed.index == index),
        }
    }

    /// The bytes of every call's texts.
    pub(crate) fn text_bytes(&self) -> usize {
        self.text.len()
    }
}

impl AcceptedCall {
    /// The call, borrowed, as [`AcceptedCalls::push`] takes it.
    pub fn borrowed(&self) -> AcceptedCallRef<'_> {
        AcceptedCallRef {
            index: self.index,
            call_id: &self.call_id,
            tool: &self.tool,
            input_json: &self.input_json,
            idempotency_key: self.idempotency_key.as_deref(),
            overrides_json: self.overrides_json.as_deref(),
        }
    }
}

impl FromIterator<AcceptedCall> for AcceptedCalls {
    fn from_iter<I: IntoIterator<Item = AcceptedCall>>(calls: I) -> Self {
        let calls = calls.into_iter();
        let mut packed = Self::with_capacity(calls.size_hint().0);
        for call in calls {
            packed.push(call.borrowed());
        }
        packed
    }
}

impl From<Vec<AcceptedCall>> for AcceptedCalls {
    fn from(calls: Vec<AcceptedCall>) -> Self {
        calls.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(index: u32, key: Option<&str>, overrides: Option<&str>) -> AcceptedCall {
        AcceptedCall {
            index,
            call_id: format!("c-{index}"),
            tool: "echo".to_owned(),
            input_json: format!("{{\"n\":{index}}}"),
            idempotency_key: key.map(str::to_owned),
            overrides_json: overrides.map(str::to_owned),
        }
    }

    #[test]
    fn packed_calls_read_back_as_given_with_empty_and_absent_texts_told_apart() {
        let given = vec![
            call(0, None, None),
            call(1, Some(""), Some(r#"{"max_retries":0}"#)),
            call(2, Some("k-2"), None),
        ];
        let packed = AcceptedCalls::from(given.clone());
        assert_eq!(packed.len(), 3);
        let read: Vec<AcceptedCall> = packed.iter().map(|c| c.to_accepted_call()).collect();
        assert_eq!(read, given);
        assert_eq!(packed.get(1).map(|c| c.idempotency_key), Some(Some("")));
        assert_eq!(packed.get(3), None);
    }

    #[test]
    fn a_call_is_found_by_its_index_in_or_out_of_order() {
        let packed = AcceptedCalls::from(vec![call(0, None, None), call(7, None, None)]);
        assert_eq!(packed.position_of(0), Some(0));
        assert_eq!(packed.position_of(7), Some(1));
        assert_eq!(packed.position_of(1), None);
    }
}
