//! The mail worker's wake-up: a queued mail need not wait for the next round.

use std::sync::Arc;

/// Wakes the delivery worker when a mail was queued. Without a worker it does nothing: the
/// mail waits in the queue.
#[derive(Clone, Default)]
pub struct Kick(Arc<tokio::sync::Notify>);

impl Kick {
    pub fn kick(&self) {
        // A permit is kept when the worker is busy, so that it looks again when done.
        self.0.notify_one();
    }

    pub(crate) async fn wait(&self) {
        self.0.notified().await;
    }
}
