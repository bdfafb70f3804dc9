//! Structured logs. Request ids travel in spans; personal data never enters a log line (domain
//! types mask themselves in `Debug`, and handlers log ids, codes and counts only).

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

static FORMAT: std::sync::OnceLock<LogFormat> = std::sync::OnceLock::new();

/// Whether logs are JSON (then nothing else may write to stderr: progress goes to log events).
pub fn is_json() -> bool {
    FORMAT.get() == Some(&LogFormat::Json)
}

/// Install the global subscriber (once; later calls are ignored).
pub fn init(level: &str, format: LogFormat) {
    let _ = FORMAT.set(format);
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(format!("{level},sqlx=warn,sea_orm=warn")))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour only for a person at a terminal: a log redirected to a file or a collector gets
    // plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi && format == LogFormat::Pretty)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}
