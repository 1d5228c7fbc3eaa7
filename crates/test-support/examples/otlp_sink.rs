//! An OTLP/HTTP receiver on 127.0.0.1:PORT for measuring the cost of exporting spans
//! (BENCHMARKS.md, "Telemetry"): it takes what it is sent and, every second, prints how
//! many spans and histogram points it has received.
//!
//! ```sh
//! cargo run --release -p toolexec-test-support --example otlp_sink -- 4318
//! ```

use std::time::Duration;

use toolexec_test_support::otlp::OtlpReceiver;

fn main() {
    let port = std::env::args().nth(1).and_then(|p| p.parse::<u16>().ok());
    let receiver = match port {
        Some(port) => OtlpReceiver::start_on(port),
        None => OtlpReceiver::start(),
    };
    println!("listening on {}", receiver.endpoint());
    loop {
        std::thread::sleep(Duration::from_secs(1));
        println!(
            "spans {} histogram points {}",
            receiver.span_count(),
            receiver.histograms().len()
        );
    }
}
