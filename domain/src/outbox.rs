//! Development outboxes: SMS messages and emails appended to a file as JSON lines instead of
//! sent, for `scripts/dev`, the end-to-end tests and anyone trying the app without providers.

use std::{path::PathBuf, time::Duration};

use serde::Serialize;

/// One writer at a time, so that lines never interleave.
static OUTBOX_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Appends `line` as one JSON line to the file at `path` (made readable by its owner only),
/// giving up after `timeout`. The error says what went wrong in a few words, for a log; it
/// never holds the line.
pub async fn append(path: PathBuf, line: &impl Serialize, timeout: Duration) -> Result<(), String> {
    let mut line = serde_json::to_string(line).map_err(|_| "outbox: cannot encode".to_owned())?;
    line.push('\n');
    let write = async {
        let _guard = OUTBOX_LOCK.lock().await;
        tokio::task::spawn_blocking(move || {
            use std::io::Write as _;
            let mut options = std::fs::OpenOptions::new();
            options.create(true).append(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(&path)?.write_all(line.as_bytes())
        })
        .await
    };
    match tokio::time::timeout(timeout, write).await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(err))) => Err(format!("outbox: {}", err.kind())),
        Ok(Err(_)) => Err("outbox: task failed".to_owned()),
        Err(_) => Err("outbox: timeout".to_owned()),
    }
}
