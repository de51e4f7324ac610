//! The receiver's answers: a CGI response (RFC 3875: a `Status:` header) or an HTTP/1.1 one,
//! each a short line of text, and its log line.

use super::Output;

/// The reason phrase of the statuses the receiver answers with.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// A CGI program's answer: the web server turns `Status:` into its status line.
pub fn cgi_response(status: u16, text: &str) -> Vec<u8> {
    format!(
        "Status: {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\n",
        reason(status)
    )
    .into_bytes()
}

/// An HTTP/1.1 answer; `keep_alive` leaves the connection open for the next request.
pub fn http_response(status: u16, text: &str, keep_alive: bool) -> Vec<u8> {
    let body = format!("{text}\n");
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: {}\r\n\r\n{body}",
        reason(status),
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    )
    .into_bytes()
}

/// One line per push on stderr (the web server's error log, or the journal): what the sender
/// was told and why, never a token or hash. From any thread (`serve`).
pub fn log_line(quiet: bool, line: &str) {
    if !quiet {
        eprintln!("webhost: {}", super::terminal_safe(line));
    }
}

impl Output {
    pub fn push_log(&self, line: &str) {
        log_line(self.quiet, line);
    }
}
