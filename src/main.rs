//! 助残云 server entry point: parse the command line and hand over to `cli`.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: a third of the server's time in the S1 load
/// scenario was glibc malloc and free (thread caches contended across tokio workers).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    zhucan::cli::main().await
}
