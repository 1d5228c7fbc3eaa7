//! HTTP endpoints as tools: JSON in, JSON out, through reqwest with rustls.
//!
//! Status codes map onto [`ToolError`](toolexec::ToolError) so the engine's policies
//! govern the endpoint:
//!
//! | response | error | retried |
//! | --- | --- | --- |
//! | 429, 503 | `Throttled`, with `Retry-After` (delta seconds or HTTP date, at most [`MAX_RETRY_AFTER`]) as the least wait | yes |
//! | 400, 413, 422 | `InvalidInput` | no |
//! | 401, 403 | `PermissionDenied` | no |
//! | 404, 410 | `NotFound` | no |
//! | 408 and other 5xx | `Transient` | yes |
//! | other 4xx | `Failed` with `error_type` `HTTP <code>` | no |
//! | connection refused or failed | `Transient` | yes |
//! | connection dropped or timed out after sending | `OutcomeUnknown` | idempotent tools only |
//! | body over `max_response_bytes`, or not JSON | `BadOutput` | no |

mod config;
mod redact;
mod response;
mod retry_after;
mod tool;

pub use config::HttpConfig;
pub use redact::REDACTED;
pub use retry_after::MAX_RETRY_AFTER;
pub use tool::HttpTool;
