//! A minimal blocking HTTP/1.1 GET over `TcpStream`, for polling a marimo server on
//! 127.0.0.1. It connects to the loopback address only.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// The parts of an HTTP response that the readiness poll and the tests look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code, for example 200 or 303.
    pub status: u16,
    /// The header fields in the order received, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8); chunked bodies are left undecoded.
    pub body: String,
}

impl HttpResponse {
    /// Returns the first header field named `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Sends `GET target` to `127.0.0.1:port` with the extra `headers` and reads the response.
///
/// `target` is the path and query, for example `/health`. The connection is closed after one
/// response, and each of connect, read and write gives up after `timeout`.
pub fn http_get(
    port: u16,
    target: &str,
    headers: &[(&str, &str)],
    timeout: Duration,
) -> std::io::Result<HttpResponse> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;

    let mut request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;

    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> std::io::Result<HttpResponse> {
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| invalid("the response has no end of header"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid("the response has no valid status line"))?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    Ok(HttpResponse {
        status,
        headers,
        body: body.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_headers_body() {
        let raw = b"HTTP/1.1 303 See Other\r\nLocation: /auth/login\r\nX-A: b\r\n\r\nbody";
        let response = parse_response(raw).expect("a valid response");
        assert_eq!(response.status, 303);
        assert_eq!(response.header("location"), Some("/auth/login"));
        assert_eq!(response.header("x-a"), Some("b"));
        assert_eq!(response.body, "body");
    }

    #[test]
    fn rejects_truncated_response() {
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nA: b").is_err());
        assert!(parse_response(b"garbage\r\n\r\n").is_err());
    }
}
