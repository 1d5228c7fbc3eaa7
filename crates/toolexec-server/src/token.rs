//! The API's bearer token: where it comes from and what a usable one looks like.

/// The environment variable holding the API's bearer token.
pub const TOKEN_ENV: &str = "TOOLEXEC_API_TOKEN";

/// Why `token` could never authenticate a request, if so.
///
/// Clients send the token in an `Authorization` header, which the server trims, so a
/// token of only whitespace, or with whitespace around it, would lock every client
/// out; a token with characters a header cannot carry as text likewise.
pub(crate) fn unusable(token: &str) -> Option<&'static str> {
    if token.trim().is_empty() {
        Some("the token is only whitespace; set a real token, or unset it for no authentication")
    } else if token.trim() != token {
        Some("the token starts or ends with whitespace, which no request can carry")
    } else if !token.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        Some("the token may hold only visible ASCII characters and spaces")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_tokens_are_unusable() {
        for token in [" ", "   ", "\t", " tok", "tok\n", "tök"] {
            assert!(unusable(token).is_some(), "{token:?}");
        }
        for token in ["tok", "a b", "Zm9vYmFy=="] {
            assert_eq!(unusable(token), None, "{token:?}");
        }
    }
}
