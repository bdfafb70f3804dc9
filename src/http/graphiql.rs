//! GraphiQL at `/graphiql`, entirely from this server: government networks have no internet, so
//! nothing may load from a CDN. The page and its assets (GraphiQL, React, graphql-ws; vendored
//! from the npm registry with their licences, see `assets/graphiql/LICENSES.md`) are built into
//! the binary and served under `/graphiql/assets/`, with a Content-Security-Policy that allows
//! this origin only.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;

/// The assets: name, media type, bytes.
const ASSETS: [(&str, &str, &[u8]); 7] = [
    (
        "bootstrap.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/bootstrap.js"),
    ),
    (
        "page.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/page.css"),
    ),
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
    ),
    (
        "graphql-ws.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphql-ws.min.js"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
];

const INDEX: &[u8] = include_bytes!("../../assets/graphiql/index.html");

/// This origin only; the WebSocket to this host. GraphiQL's editor sets inline styles.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; \
    worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The GraphiQL routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/graphiql", get(page))
        .route("/graphiql/assets/{file}", get(asset))
}

async fn page() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        INDEX,
    )
        .into_response()
}

async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, media_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
                // Versioned with the binary: a day's caching is safe.
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
