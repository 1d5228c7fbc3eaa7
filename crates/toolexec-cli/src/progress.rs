//! Live progress per tool call, from the executor's event stream: a progress bar on a
//! terminal, plain lines when stderr is piped.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use toolexec::{ExecutionEvent, Executor};

/// A running progress display; [`Progress::finish`] stops it.
#[derive(Debug)]
pub struct Progress {
    task: JoinHandle<()>,
    stop: oneshot::Sender<()>,
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Progress {
    /// Starts showing the progress of `total` calls (0: not known in advance) on stderr;
    /// `quiet` shows nothing.
    pub fn start(executor: &Executor, total: usize, quiet: bool) -> Progress {
        let mut events = executor.subscribe();
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !quiet).then(|| {
            let (bar, template) = if total == 0 {
                (
                    ProgressBar::new_spinner(),
                    "{spinner} [{elapsed_precise}] {pos} calls finished  {msg}",
                )
            } else {
                (
                    ProgressBar::new(total as u64),
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} calls  {msg}",
                )
            };
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        let shown = bar.clone();
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            loop {
                let event = tokio::select! {
                    biased;
                    received = events.recv() => received,
                    _ = &mut stopped => break,
                };
                match event {
                    Ok(event) => show(&shown, quiet, &event),
                    Err(RecvError::Lagged(missed)) => {
                        report(&shown, quiet, &format!("(missed {missed} progress events)"))
                    }
                    Err(RecvError::Closed) => return,
                }
            }
            // The calls are done and every event they sent is already in the channel:
            // show what is left rather than lose the last lines.
            loop {
                match events.try_recv() {
                    Ok(event) => show(&shown, quiet, &event),
                    Err(TryRecvError::Lagged(missed)) => {
                        report(&shown, quiet, &format!("(missed {missed} progress events)"))
                    }
                    Err(_) => return,
                }
            }
        });
        Progress {
            task,
            stop,
            bar,
            quiet,
        }
    }

    /// Shows `text` on stderr (above the bar on a terminal); nothing when quiet.
    pub fn say(&self, text: &str) {
        report(&self.bar, self.quiet, text);
    }

    /// Shows the events still pending, then stops the display.
    pub async fn finish(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

fn show(bar: &Option<ProgressBar>, quiet: bool, event: &ExecutionEvent) {
    if let (Some(bar), ExecutionEvent::Finished { .. }) = (bar, event) {
        bar.inc(1);
    }
    if let Some(line) = describe(event) {
        match bar {
            Some(bar) if matches!(event, ExecutionEvent::Finished { .. }) => bar.println(line),
            Some(bar) => bar.set_message(line),
            None => report(&None, quiet, &line),
        }
    }
}

fn report(bar: &Option<ProgressBar>, quiet: bool, line: &str) {
    match bar {
        Some(bar) => bar.println(line),
        None if !quiet => eprintln!("{line}"),
        None => {}
    }
}

/// One line per lifecycle step.
pub fn describe(event: &ExecutionEvent) -> Option<String> {
    Some(match event {
        ExecutionEvent::Started { call_id, tool_name } => {
            format!("[{call_id}] {tool_name}: started")
        }
        ExecutionEvent::AttemptStarted {
            call_id,
            tool_name,
            attempt,
            hedge,
        } => {
            if *hedge {
                return Some(format!(
                    "[{call_id}] {tool_name}: attempt {attempt} running (hedge)"
                ));
            }
            if *attempt == 1 {
                return None;
            }
            format!("[{call_id}] {tool_name}: attempt {attempt} running")
        }
        ExecutionEvent::AttemptFailed {
            call_id,
            tool_name,
            attempt,
            kind,
            message,
        } => {
            format!("[{call_id}] {tool_name}: attempt {attempt} failed ({kind}): {message}")
        }
        ExecutionEvent::RetryScheduled {
            call_id,
            tool_name,
            next_attempt,
            delay_ms,
        } => {
            format!("[{call_id}] {tool_name}: retry {next_attempt} in {delay_ms:.0} ms")
        }
        ExecutionEvent::Progress {
            call_id, tool_name, ..
        } => {
            let text = event.progress_text().unwrap_or_default();
            format!("[{call_id}] {tool_name}: {text}")
        }
        ExecutionEvent::Finished {
            call_id,
            tool_name,
            status,
            attempts,
            execution_time_ms,
            fallback,
            ..
        } => {
            let note = if *fallback {
                ", answered by fallback"
            } else {
                ""
            };
            format!(
                "[{call_id}] {tool_name}: {status} after {attempts} attempt(s), {execution_time_ms:.1} ms{note}"
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::describe;
    use toolexec::ExecutionEvent;

    #[test]
    fn progress_is_one_line_with_its_total_and_message() {
        let event = ExecutionEvent::Progress {
            call_id: "c-1".into(),
            tool_name: "scan".into(),
            attempt: 1,
            progress: 3.0,
            total: Some(10.0),
            message: Some("3 of 10 files".into()),
        };
        assert_eq!(
            describe(&event).as_deref(),
            Some("[c-1] scan: progress 3/10: 3 of 10 files")
        );
        let bare = ExecutionEvent::Progress {
            call_id: "c-1".into(),
            tool_name: "scan".into(),
            attempt: 1,
            progress: 0.5,
            total: None,
            message: None,
        };
        assert_eq!(describe(&bare).as_deref(), Some("[c-1] scan: progress 0.5"));
    }
}
