//! The Tweestap server: configuration, the axum router with its middleware, and startup.
//! `main.rs` adds the command line; tests build the same router in-process.

pub mod config;
pub mod demo;
pub mod middleware;
pub mod operations;

use std::sync::OnceLock;

use axum::{Router, middleware::from_fn, middleware::from_fn_with_state};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, ResponseOptions, generate_route_list};
use tower_http::{services::ServeFile, trace::TraceLayer};

use app::{App, document};
use tweestap_domain::Context;

/// The whole application as one router: pages, server functions, static files and the
/// middleware around them, with the health checks; no metrics on this address.
pub fn router(ctx: Context, options: LeptosOptions) -> Router {
    router_with_metrics(ctx, options, None)
}

/// `router`, with `/metrics` for those who send this token (SEC-28).
pub fn router_with_metrics(
    ctx: Context,
    options: LeptosOptions,
    metrics_token: Option<operations::MetricsToken>,
) -> Router {
    // Installed before the first request records anything.
    operations::recorder();
    let routes = route_list();
    let reload_port = std::env::var_os("LEPTOS_WATCH").map(|_| options.reload_port);
    let leptos_context = {
        let ctx = ctx.clone();
        move || {
            provide_context(ctx.clone());
            set_page_csp(reload_port);
        }
    };
    let document_options = options.clone();
    let mut app = Router::new();
    // The files at the site's root: the app's `/:sectie` route would answer them otherwise.
    for file in app::access::ROOT_FILES {
        let path = std::path::Path::new(&*options.site_root).join(file.trim_start_matches('/'));
        app = app.route_service(
            file,
            ServeFile::new(path).precompressed_br().precompressed_gzip(),
        );
    }
    let app = app
        .leptos_routes_with_context(&options, routes, leptos_context.clone(), move || {
            document(document_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            leptos_context,
            document,
        ))
        .with_state(options)
        .layer(from_fn(middleware::server_fn_status))
        .layer(from_fn_with_state(
            ctx.clone(),
            middleware::session_and_access,
        ))
        .layer(from_fn_with_state(ctx.clone(), middleware::check_origin))
        .layer(from_fn(middleware::limit_body))
        .layer(from_fn(middleware::plain_form_answers));
    // The health checks and metrics pass none of the app's middleware: no session, no
    // cookie, no Origin check.
    operations::routes(ctx, metrics_token)
        .merge(app)
        .layer(from_fn(operations::record_request))
        .layer(from_fn(middleware::security_headers))
        .layer(TraceLayer::new_for_http())
}

/// The app's pages, found once per process by rendering the app.
///
/// While Leptos generates this list it suppresses resource loading for the whole process (one
/// global flag), and a resource first polled in that window waits forever (leptos#4773): a page
/// rendered by another router at that moment never answered. That was the rare hang of the
/// HTTP tests, which build many routers in one process. Generated once, before the first router
/// exists, the window is closed before any request can render.
pub fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Pages are rendered with a fresh nonce; the CSP that names it goes with the response.
fn set_page_csp(reload_port: Option<u32>) {
    if let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
        && let Ok(value) =
            axum::http::HeaderValue::from_str(&middleware::page_csp(&nonce, reload_port))
    {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Leptos options for running without cargo-leptos' environment (tests, benchmarks).
pub fn leptos_options_for(site_root: &str) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("tweestap")
        .site_root(site_root)
        .build()
}
