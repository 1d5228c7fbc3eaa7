//! AWS Lambda functions as tools, invoked synchronously through aws-sdk-lambda.
//!
//! The SDK's own retries are disabled so that the engine alone decides (no retries
//! multiplied). Failures map onto [`ToolError`](toolexec::ToolError):
//!
//! | answer | error | retried |
//! | --- | --- | --- |
//! | payload over 6 MB, checked before sending | `InvalidInput` | no |
//! | a function error (on AWS a 200 with `X-Amz-Function-Error`; the local emulator answers 500 with `errorType`/`errorMessage`) | `Failed` with the function's `errorType` and `errorMessage` | no |
//! | `TooManyRequestsException`, any 429 | `Throttled`, with `retryAfterSeconds` | yes |
//! | `ResourceNotFoundException`, any 404 | `NotFound` | no |
//! | `InvalidRequestContentException`, `RequestTooLargeException`, other 400/413/415 | `InvalidInput` | no |
//! | `AccessDeniedException`, bad credentials, 401/403 | `PermissionDenied` | no |
//! | errors raised before the function runs (`ResourceNotReady`, `EC2*`, `ENI*`, `EFS*`, `SnapStartNotReady`, ...) | `Transient` | yes |
//! | `ServiceException` and other 5xx | `OutcomeUnknown` (the function may have run) | idempotent tools only |
//! | connection refused, connect timeout | `Transient` | yes |
//! | connection lost after sending | `OutcomeUnknown` | idempotent tools only |
//! | a response payload that is not JSON | `BadOutput` | no |
//!
//! With `protocol = "structured"` (see [`LambdaProtocol`]) the function's own
//! `{"success": false, "error": {...}}` answers map onto the same kinds.
//!
//! A Lambda invocation cannot be stopped once it started: when the engine times an
//! attempt out, the request is dropped and the function runs on until it ends or its
//! own timeout (configured on the function) stops it.

mod config;
mod errors;
mod protocol;
mod tool;

pub use config::LambdaConfig;
pub use protocol::LambdaProtocol;
pub use tool::{LambdaTool, LAMBDA_SYNC_PAYLOAD_LIMIT};
