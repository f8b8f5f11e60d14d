//! What every request passes through: security headers, a size limit, the Origin check for
//! state-changing requests, the session lookup and the access policy, and the mapping of
//! server-function errors to their HTTP status.

use std::net::{IpAddr, SocketAddr};

use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use leptos::server_fn::error::{FromServerFnError as _, ServerFnUrlError};

use app::{
    access::{self, Access, stage_of},
    error::{AppError, Invalid},
    request::Viewer,
};
use tweestap_domain::{
    Context,
    accounts::session::{self, SessionToken},
    client::ClientInfo,
    twofactor::remembered,
};

/// Server functions take a few short fields; anything larger is refused before it is read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Leptos marks error answers of server functions with this header.
const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";

/// An error as the browser's server-function client decodes it: JSON, with its status.
pub fn error_response(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(&err).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn is_server_fn(path: &str) -> bool {
    path.starts_with("/api/")
}

/// SEC-24: headers on every answer. Pages get their CSP with a nonce while rendering
/// (`page_csp`); everything else gets one that allows nothing.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/pkg/");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(
        headers,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(
            headers,
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        );
    }
    // The bundle may be cached but must be revalidated; everything else is private.
    set(
        headers,
        header::CACHE_CONTROL,
        if is_asset { "no-cache" } else { "no-store" },
    );
    response
}

/// The page CSP: scripts only from this site or with this response's nonce, WebAssembly allowed.
pub fn page_csp(nonce: &str, reload_port: Option<u32>) -> String {
    let reload = reload_port
        .map(|port| format!(" ws://127.0.0.1:{port} ws://localhost:{port}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'{reload}; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    )
}

/// SEC-22: an oversized request gets a clear answer, whether it declares its length or sends
/// it in chunks: the body is read here, up to the limit and no further. Server functions take
/// text (forms, JSON), so a body that is not UTF-8 is refused here too.
pub async fn limit_body(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES) {
        return error_response(AppError::TooLarge);
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) if is_server_fn(parts.uri.path()) && std::str::from_utf8(&bytes).is_err() => {
            error_response(AppError::invalid(Invalid::BadEncoding))
        }
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => error_response(AppError::TooLarge),
    }
}

/// Forms are plain HTML forms that post to server functions. The browser then wants a page,
/// not JSON: an error from anywhere on the way (size, origin, access, the function itself) goes
/// back to the form's page as a redirect with the error in the address, where the page shows it
/// in Dutch. Only the latest error stays in the address.
pub async fn plain_form_answers(req: Request, next: Next) -> Response {
    let plain_form =
        req.method() == Method::POST && is_server_fn(req.uri().path()) && wants_page(req.headers());
    if !plain_form {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    let referer = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.run(req).await;
    if let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
    {
        let tidy = latest_error_only(location);
        if tidy == location {
            return response;
        }
        return redirect_to(&tidy);
    }
    if !(response.status().is_client_error() || response.status().is_server_error()) {
        return response;
    }
    let (_, body) = response.into_parts();
    let err = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        // Decoded as server_fn encoded it; anything else becomes `AppError::Internal`.
        Ok(bytes) => AppError::de(bytes),
        Err(_) => AppError::Internal,
    };
    let mut back = referer.unwrap_or_else(|| "/".to_owned());
    FormError::strip_error_info(&mut back);
    let answer = FormError::new(&path, err);
    match answer.to_url(&back) {
        Ok(url) => redirect_to(url.as_str()),
        Err(_) => error_response(answer.error().clone()),
    }
}

/// server_fn's own format for an error in the address (`__path`, `__err`).
type FormError = ServerFnUrlError<AppError>;

/// A redirect's address with only its last server-function error, if it has any: Leptos
/// adds its error to the form's address, which may hold an earlier one.
fn latest_error_only(location: &str) -> String {
    let Ok(url) = url::Url::parse(location) else {
        return location.to_owned();
    };
    let last = |name: &str| {
        let values: Vec<String> = url
            .query_pairs()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
            .collect();
        (values.len(), values.last().cloned())
    };
    let ((paths, Some(path)), (errors, Some(err))) = (last("__path"), last("__err")) else {
        return location.to_owned();
    };
    if paths <= 1 && errors <= 1 {
        return location.to_owned();
    }
    let mut tidy = location.to_owned();
    FormError::strip_error_info(&mut tidy);
    FormError::new(path, FormError::decode_err(&err))
        .to_url(&tidy)
        .map_or_else(|_| location.to_owned(), String::from)
}

fn redirect_to(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response(),
        Err(_) => error_response(AppError::Internal),
    }
}

/// Every state-changing request must come from the app's own origin (SEC-20, SEC-32): its
/// `Origin` (or `Referer`) equals the public origin in scheme, host and port. That is
/// `TWEESTAP_PUBLIC_ORIGIN` behind a TLS proxy, and otherwise the address the request was served
/// as: plain HTTP to its `Host`.
pub async fn check_origin(State(ctx): State<Context>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let expected = match &ctx.settings.public_origin {
        Some(origin) => Some(origin.clone()),
        None => req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| req.uri().authority().map(|a| a.to_string()))
            .and_then(|host| origin_of(&format!("http://{host}"))),
    };
    let claimed = req
        .headers()
        .get(header::ORIGIN)
        .or_else(|| req.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .and_then(origin_of);
    match (expected, claimed) {
        (Some(expected), Some(claimed)) if expected == claimed => next.run(req).await,
        _ => {
            tracing::warn!(
                path = req.uri().path(),
                "refused a request from another origin"
            );
            error_response(AppError::ForeignOrigin)
        }
    }
}

/// The origin of an address, as browsers write it in `Origin`: `scheme://host[:port]`, the
/// host in lower case and a default port left out. `None` for `null` and anything that is not
/// an http(s) address with a host.
pub fn origin_of(value: &str) -> Option<String> {
    let url = url::Url::parse(value).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.host_str()?;
    Some(url.origin().ascii_serialization())
}

/// Looks up the session behind the cookie and applies the access policy: one gate for all
/// pages and server functions.
pub async fn session_and_access(
    State(ctx): State<Context>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/pkg/") {
        return next.run(req).await;
    }
    let raw_cookie = cookie_value(req.headers(), session::COOKIE_NAME);
    let lookup = match raw_cookie.as_deref().and_then(SessionToken::from_cookie) {
        Some(token) => match session::look_up(&ctx, &token).await {
            Ok(found) => found,
            Err(err) => {
                return error_response(tweestap_domain::Error::from(err).into());
            }
        },
        None => session::Lookup::None,
    };
    let second_step_expired = matches!(lookup, session::Lookup::SecondStepExpired);
    let session = lookup.active();
    let stage = match stage_of(&ctx, session.as_ref()).await {
        Ok(stage) => stage,
        Err(err) => return error_response(err),
    };
    let stale_cookie = raw_cookie.is_some() && session.is_none();
    let access = access::decide(&path, stage);
    // A second step that took too long: the login page says so (SEC-30). The public server
    // functions (logging in again, `page_state`) run, and tell it themselves; files are files.
    let passes = access == Access::Allow && (is_server_fn(&path) || access::is_asset(&path));
    let access = if second_step_expired && !passes {
        Access::SecondStepExpired
    } else {
        access
    };

    let mut response = match access {
        Access::Allow => {
            let peer = req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip());
            let client = ClientInfo {
                ip_address: client_ip(peer, req.headers(), &ctx.settings.trusted_proxies)
                    .map(|ip| ip.to_string()),
                user_agent: req
                    .headers()
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
            };
            let remembered = cookie_value(req.headers(), remembered::REMEMBER_COOKIE);
            req.extensions_mut().insert(Viewer {
                session,
                client,
                remembered,
                second_step_expired,
            });
            next.run(req).await
        }
        Access::AlreadyLoggedIn => redirect("/"),
        // A script's call hears the error; a page or a plain form goes to the login page.
        Access::SecondStepExpired if is_server_fn(&path) && !wants_page(req.headers()) => {
            error_response(AppError::SecondStepExpired)
        }
        Access::SecondStepExpired => redirect(&app::routes::second_step_expired_page()),
        denied if is_server_fn(&path) || req.method() != Method::GET => {
            error_response(match denied {
                Access::SecondStepRequired => AppError::SecondStepRequired,
                Access::EnrolmentRequired => AppError::EnrolmentRequired,
                Access::MethodChangeRequired => AppError::MethodChangeRequired,
                _ => AppError::NotLoggedIn,
            })
        }
        denied => {
            let wanted = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
            redirect(&access::page_redirect(denied, wanted).unwrap_or_else(|| "/".to_owned()))
        }
    };

    // A cookie that no longer opens a session is removed, unless this answer sets a new one.
    let sets_new_cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(session::COOKIE_NAME.as_bytes()));
    if stale_cookie
        && !sets_new_cookie
        && let Ok(value) = HeaderValue::from_str(&session::removal_cookie())
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Whether the browser asks for a page (a plain form, a link), not the app's script.
fn wants_page(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn redirect(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// Leptos answers every server-function error with 500. Ours know their status: a wrong
/// password is 401, bad input 400 (SEC-22), and only a real failure stays 500.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return error_response(AppError::Internal);
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(parts.status);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The client's address: the connection's, unless that is a trusted proxy (SEC-14). Then
/// `X-Forwarded-For` is read from the right, past the trusted proxies, to the first address
/// that is not one: what the proxy nearest to us saw. Anything it cannot read makes it fall back
/// to the connection's address; the header of anyone else is never believed.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    // An IPv4 peer on a dual-stack listener arrives as ::ffff:a.b.c.d.
    let peer = peer?.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|t| t.to_canonical() == *ip);
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Split as bytes: what a client wrote in front must not make the proxies' part unreadable.
    let hops: Vec<&[u8]> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| value.as_bytes().split(|&b| b == b','))
        .collect();
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            return Some(client);
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// One address of `X-Forwarded-For`: `203.0.113.7`, `2001:db8::1`, or with a port.
fn parse_hop(hop: &[u8]) -> Option<IpAddr> {
    let hop = std::str::from_utf8(hop).ok()?.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_form_error_stays_in_the_address() {
        let old = FormError::new("/api/a", AppError::WrongCode);
        let new = FormError::new("/api/b", AppError::WrongPassword);
        let single = old.to_url("http://h/inloggen?volgende=%2Fx").unwrap();
        assert_eq!(latest_error_only(single.as_str()), single.as_str());
        let both = new.to_url(single.as_str()).unwrap();
        assert_eq!(
            latest_error_only(both.as_str()),
            new.to_url("http://h/inloggen?volgende=%2Fx")
                .unwrap()
                .as_str()
        );
        assert!(latest_error_only(both.as_str()).ends_with(&format!(
            "volgende=%2Fx&__path=%2Fapi%2Fb&__err={}",
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE,
                serde_json::to_vec(&AppError::WrongPassword).unwrap()
            )
        )));
    }

    // SEC-32: scheme, host and port all count; a default port is the same as none.
    #[test]
    fn reads_the_origin_of_an_origin_or_referer_sec_32() {
        assert_eq!(
            origin_of("http://127.0.0.1:3000").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(
            origin_of("https://Zorg.Example.nl:443/profiel?x=1").as_deref(),
            Some("https://zorg.example.nl")
        );
        assert_ne!(
            origin_of("https://zorg.example.nl"),
            origin_of("http://zorg.example.nl")
        );
        assert_ne!(
            origin_of("https://zorg.example.nl"),
            origin_of("https://zorg.example.nl:8443")
        );
        assert_eq!(origin_of("null"), None);
        assert_eq!(origin_of("http://"), None);
        assert_eq!(origin_of("file:///etc/passwd"), None);
    }

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; tweestap_sessie=abc; b=2"),
        );
        assert_eq!(
            cookie_value(&headers, "tweestap_sessie").as_deref(),
            Some("abc")
        );
        assert_eq!(cookie_value(&headers, "tweestap"), None);
        // Several Cookie headers (HTTP/2), and a broken pair among them.
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("=x; tweestap_onthouden=def"),
        );
        assert_eq!(
            cookie_value(&headers, "tweestap_onthouden").as_deref(),
            Some("def")
        );
    }

    fn forwarded(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_static(value));
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    // SEC-14: X-Forwarded-For is ignored unless the connection comes from a trusted proxy.
    #[test]
    fn x_forwarded_for_counts_only_from_a_trusted_proxy_sec_14() {
        let proxy = ip("127.0.0.1");
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(client_ip(Some(proxy), &headers, &[]), Some(proxy));
        assert_eq!(
            client_ip(Some(ip("198.51.100.1")), &headers, &[proxy]),
            Some(ip("198.51.100.1")),
            "a stranger's header"
        );
        assert_eq!(
            client_ip(Some(proxy), &headers, &[proxy]),
            Some(ip("203.0.113.7"))
        );
        assert_eq!(client_ip(None, &headers, &[proxy]), None);
    }

    #[test]
    fn x_forwarded_for_is_read_from_the_right_past_the_trusted_proxies() {
        let proxies = [ip("127.0.0.1"), ip("10.0.0.2")];
        // The client put a made-up address in front; the proxies appended what they saw.
        let headers = forwarded(&["192.0.2.66, 203.0.113.7", "10.0.0.2"]);
        assert_eq!(
            client_ip(Some(proxies[0]), &headers, &proxies),
            Some(ip("203.0.113.7"))
        );
        let with_port = forwarded(&["[2001:db8::7]:4711"]);
        assert_eq!(
            client_ip(Some(proxies[0]), &with_port, &proxies),
            Some(ip("2001:db8::7"))
        );
        // Unreadable: the last address that could be read.
        let garbage = forwarded(&["203.0.113.7, nonsense, 10.0.0.2"]);
        assert_eq!(
            client_ip(Some(proxies[0]), &garbage, &proxies),
            Some(ip("10.0.0.2"))
        );
        // A client's bytes in front do not hide what the proxy saw.
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"\xff\xfe, 203.0.113.7").unwrap(),
        );
        assert_eq!(
            client_ip(Some(proxies[0]), &headers, &proxies),
            Some(ip("203.0.113.7"))
        );
        // An IPv4 proxy seen on a dual-stack listener.
        assert_eq!(
            client_ip(
                Some(ip("::ffff:127.0.0.1")),
                &forwarded(&["203.0.113.7"]),
                &proxies
            ),
            Some(ip("203.0.113.7"))
        );
        // No header at all: the proxy itself.
        assert_eq!(
            client_ip(Some(proxies[0]), &HeaderMap::new(), &proxies),
            Some(proxies[0])
        );
    }
}
