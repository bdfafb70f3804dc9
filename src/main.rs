//! 助残云 server entry point: parse the command line and hand over to `cli`.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    zhucan::cli::main().await
}
