//! How often a streamed batch wakes its reader: once per wave of calls that end
//! together, not once per lane that hands envelopes over, even for a reader that takes
//! everything the moment it is woken (a thread outside the runtime that keeps up, whose
//! every wake-up is a futex wake and a context switch).

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use common::{builder, latency, sim};
use futures::StreamExt;
use serde_json::json;
use toolexec::{BatchOptions, BatchStream, ToolCall};

/// A reader that polls the stream the moment it is woken, until nothing is ready.
struct EagerReader {
    stream: Mutex<Option<BatchStream>>,
    wakes: AtomicUsize,
    /// A wake-up that came while the reader was polling: it polls once more.
    woken_while_reading: AtomicBool,
    taken: Mutex<Vec<usize>>,
}

impl EagerReader {
    fn start(stream: BatchStream) -> Arc<Self> {
        let reader = Arc::new(Self {
            stream: Mutex::new(Some(stream)),
            wakes: AtomicUsize::new(0),
            woken_while_reading: AtomicBool::new(false),
            taken: Mutex::new(Vec::new()),
        });
        reader.read();
        reader
    }

    fn read(self: &Arc<Self>) {
        let Ok(mut stream) = self.stream.try_lock() else {
            self.woken_while_reading.store(true, Ordering::SeqCst);
            return;
        };
        let Some(stream) = stream.as_mut() else {
            return;
        };
        let waker = Waker::from(self.clone());
        let mut cx = Context::from_waker(&waker);
        loop {
            while let Poll::Ready(Some((index, _))) = stream.poll_next_unpin(&mut cx) {
                self.taken.lock().expect("the reader's lock").push(index);
            }
            if !self.woken_while_reading.swap(false, Ordering::SeqCst) {
                return;
            }
        }
    }

    fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }

    fn taken(&self) -> usize {
        self.taken.lock().expect("the reader's lock").len()
    }

    /// Drops the stream, which holds this reader's waker.
    fn stop(&self) -> BatchStream {
        self.stream
            .lock()
            .expect("the reader's lock")
            .take()
            .expect("a stream")
    }
}

impl Wake for EagerReader {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.read();
    }
}

/// `calls` calls of 10 ms, `at_once` at a time: waves of `at_once` calls ending
/// together every 10 ms.
async fn first_wave(calls: usize, at_once: usize) -> (usize, usize) {
    let executor = builder()
        .max_concurrency(at_once)
        .tool(sim("t", latency(0)))
        .build()
        .expect("an executor");
    let batch = (0..calls)
        .map(|_| ToolCall::new("t", json!({ "latency_ms": 10 })))
        .collect();
    let reader = EagerReader::start(executor.execute_batch_stream(batch, BatchOptions::default()));
    tokio::time::sleep(Duration::from_millis(15)).await;
    let first = (reader.wakes(), reader.taken());
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(reader.taken(), calls, "every call is streamed");
    assert_eq!(reader.stop().remaining(), 0);
    first
}

#[tokio::test(start_paused = true)]
async fn a_wave_ending_on_one_call_lanes_wakes_a_reader_that_keeps_up_once() {
    // 50 lanes of one call each, all ending at 10 ms.
    assert_eq!(first_wave(100, 50).await, (1, 50));
}

#[tokio::test(start_paused = true)]
async fn a_wave_ending_on_wide_lanes_wakes_a_reader_that_keeps_up_once() {
    // 400 calls at once on one worker: 16 lanes of 25 calls, all ending at 10 ms.
    assert_eq!(first_wave(800, 400).await, (1, 400));
}
