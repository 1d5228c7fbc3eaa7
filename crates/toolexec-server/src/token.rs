//! The API's bearer token: where it comes from.

/// The environment variable holding the API's bearer token.
pub const TOKEN_ENV: &str = "TOOLEXEC_API_TOKEN";
