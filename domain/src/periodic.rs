//! A job the server runs in the background: shortly after startup, then every interval. A failed
//! run is logged and the next one tries again; it never stops the server. The retention job and
//! the rollout's daily count run this way.

use std::{future::Future, time::Duration};

use crate::{context::Context, error::Error};

/// Runs `job` a minute after startup (migrations and the first requests go first), then every
/// `interval`; `what` names it in the log when a run fails.
pub fn spawn<T, F, Fut>(
    ctx: Context,
    interval: Duration,
    what: &'static str,
    job: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn(Context) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, Error>> + Send,
{
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let mut every = tokio::time::interval(interval);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(err) = job(ctx.clone()).await {
                tracing::error!(
                    error = %err.chain(),
                    "{what}: the run failed; the next one tries again"
                );
            }
        }
    })
}
