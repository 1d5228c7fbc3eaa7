//! The routes, one file per group, assembled with their OpenAPI annotations.

pub(crate) mod ask;
pub(crate) mod batch_stream;
pub(crate) mod batch_view;
pub(crate) mod batches;
pub(crate) mod calls;
pub(crate) mod dashboard;
pub(crate) mod events;
pub(crate) mod journal_view;
pub(crate) mod journaled;
pub(crate) mod launch;
pub(crate) mod ops;
pub(crate) mod tools;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::openapi::ApiDoc;
use crate::state::AppState;

/// Every documented route, with no authentication layer.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    router_with(protected())
}

/// The documented routes: `protected` (which [`crate::app`] wraps in the token check)
/// and the public `/healthz`.
pub(crate) fn router_with(protected: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(protected)
        .routes(routes!(ops::healthz))
}

/// The routes that require the token when one is set.
pub(crate) fn protected() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(batches::create_batch, journaled::list_batches))
        .routes(routes!(batches::get_batch, batches::cancel_batch))
        .routes(routes!(batch_stream::stream_batch))
        .routes(routes!(journaled::redrive_batch))
        .routes(routes!(journaled::history))
        .routes(routes!(calls::get_call))
        .routes(routes!(events::events))
        .routes(routes!(tools::list_tools))
        .routes(routes!(tools::stats))
        .routes(routes!(ask::ask))
        .routes(routes!(ops::metrics))
}

/// The OpenAPI document of every route [`crate::app`] serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().into_openapi()
}
