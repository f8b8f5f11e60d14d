//! Pages render in a process that builds routers: the cause of the rare hang of these tests.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use axum::http::StatusCode;

use crate::support::TestApp;
use tweestap_domain::testing::{Backend, JUDITH_EMAIL, JUDITH_PASSWORD};

/// Stops the other thread's building when the test ends, also when it fails.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

// Leptos suppresses the loading of resources in the whole process while it lists an app's
// routes (leptos#4773); a page whose resource first ran in that moment never answered. The HTTP
// tests build a router per test, in parallel, so a page now and then hung on PostgreSQL, where
// the tests are slower and overlap more. Here another thread builds routers all the time; every
// page must still answer (the watchdog in `support` fails a request after a minute).
#[tokio::test]
async fn pages_answer_while_other_routers_are_built() {
    let mut app = TestApp::new(Backend::Sqlite).await;
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);

    let building = Arc::new(AtomicBool::new(true));
    let _stop = StopOnDrop(building.clone());
    let builder = {
        let ctx = app.ctx.clone();
        let building = building.clone();
        std::thread::spawn(move || {
            let mut built = 0;
            while building.load(Ordering::Relaxed) {
                drop(server::router(
                    ctx.clone(),
                    server::leptos_options_for("target/site"),
                ));
                built += 1;
            }
            built
        })
    };
    // The settings page loads its data with resources (server functions).
    for _ in 0..40 {
        let page = app.get("/profiel/instellingen").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Twee-staps-authenticatie"));
    }
    building.store(false, Ordering::Relaxed);
    assert!(builder.join().unwrap() > 0, "routers were built meanwhile");
}

// The files at the site's root are files, not sections: `/:sectie` answered the platform's
// icon with a "page not found" before.
#[tokio::test]
async fn the_icon_and_the_robots_file_are_served_from_the_site_root() {
    let mut app = TestApp::new(Backend::Sqlite).await;
    app.router = server::router(
        app.ctx.clone(),
        server::leptos_options_for(concat!(env!("CARGO_MANIFEST_DIR"), "/../public")),
    );
    for (path, kind) in [
        ("/favicon.ico", "image/"),
        ("/favicon.svg", "image/svg+xml"),
        ("/robots.txt", "text/plain"),
    ] {
        let answer = app.get(path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert!(answer.header("content-type").starts_with(kind), "{path}");
    }
    // Logged in or not: the same file.
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(app.get("/favicon.ico").await.status, StatusCode::OK);
}
