//! Text that events carry, bounded: the event buffer keeps `event_capacity` events,
//! so bounding each message bounds its bytes too.

/// The most bytes of a failure message an event carries: the event buffer keeps
/// `event_capacity` events, so this bounds its bytes too.
pub(crate) const EVENT_MESSAGE_BYTES: usize = 1024;

/// `message`, cut at a character boundary to at most [`EVENT_MESSAGE_BYTES`] bytes
/// (and marked `…` when cut).
pub(crate) fn bounded(message: &str) -> String {
    if message.len() <= EVENT_MESSAGE_BYTES {
        return message.to_owned();
    }
    let mut end = EVENT_MESSAGE_BYTES - '…'.len_utf8();
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &message[..end])
}

#[cfg(test)]
mod tests {
    use super::{bounded, EVENT_MESSAGE_BYTES};

    #[test]
    fn long_event_messages_are_cut_at_a_character_boundary() {
        assert_eq!(bounded("short"), "short");
        let long = "é".repeat(2_000);
        let cut = bounded(&long);
        assert!(cut.len() <= EVENT_MESSAGE_BYTES, "{}", cut.len());
        assert!(cut.ends_with('…'));
    }
}
