//! The language-model front end against a scripted chat-completions server on 127.0.0.1 that
//! speaks the real wire format: server-sent events, JSON error bodies and `Retry-After`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{Output, Workspace};

/// A fake key; no test passes if it shows up in any output or file.
const KEY: &str = "sk-test-7f3a9c1e5b2d4f60a8c7e9b1d3f5a7c9";

const CHART: &str = "flowchart TD\n    A([Start]) --> B[/Read n/]\n    B --> C[total = n * 2]\n    \
                     C --> D[/Print total/]\n    D --> E([End])\n";

/// Missing `]` on line 2, so the parser reports an error at a known line.
const BROKEN_CHART: &str = "flowchart TD\n    A([Start] --> B[/Print hi/]\n    B --> C([End])\n";

/// One scripted reply. The server plays them in order and repeats the last one.
#[derive(Clone)]
enum Reply {
    /// `200` with `text/event-stream`: the text split over several `delta` events.
    Stream(String),
    /// `200` with one `application/json` completion, as servers that ignore `stream` send.
    Json(String),
    /// Any status with extra headers and a body.
    Status(u16, Vec<(&'static str, String)>, String),
    /// Waits before sending the reply.
    Delayed(Duration, Box<Reply>),
}

/// A request as the server received it.
struct Recorded {
    head: String,
    body: serde_json::Value,
}

struct MockServer {
    url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
}

impl MockServer {
    fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let port = listener.local_addr().expect("local address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (recorded, stopped) = (requests.clone(), stop.clone());
        thread::spawn(move || {
            let mut served = 0;
            while !stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let reply = script[served.min(script.len() - 1)].clone();
                        served += 1;
                        let recorded = recorded.clone();
                        thread::spawn(move || serve(stream, reply, &recorded));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        MockServer {
            url: format!("http://127.0.0.1:{port}/v1"),
            requests,
            stop,
        }
    }

    fn count(&self) -> usize {
        self.requests.lock().expect("lock").len()
    }

    fn body(&self, index: usize) -> serde_json::Value {
        self.requests.lock().expect("lock")[index].body.clone()
    }

    fn head(&self, index: usize) -> String {
        self.requests.lock().expect("lock")[index].head.clone()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve(stream: TcpStream, reply: Reply, recorded: &Mutex<Vec<Recorded>>) {
    stream.set_nonblocking(false).expect("blocking stream");
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    recorded.lock().expect("lock").push(Recorded { head, body });
    // The client may have given up already; a failed write is part of the script.
    let _ = respond(stream, &reply);
}

fn respond(mut stream: TcpStream, reply: &Reply) -> std::io::Result<()> {
    match reply {
        Reply::Delayed(wait, inner) => {
            thread::sleep(*wait);
            respond(stream, inner)
        }
        Reply::Stream(text) => {
            stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
                  Cache-Control: no-cache\r\nConnection: close\r\n\r\n",
            )?;
            let role = serde_json::json!({"id": "c1", "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": null}]});
            write!(stream, "data: {role}\n\n")?;
            let chars: Vec<char> = text.chars().collect();
            for piece in chars.chunks(chars.len().div_ceil(3).max(1)) {
                let piece: String = piece.iter().collect();
                let event = serde_json::json!({"id": "c1", "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]});
                write!(stream, "data: {event}\n\n")?;
                stream.flush()?;
            }
            let end = serde_json::json!({"id": "c1", "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
            write!(stream, "data: {end}\n\ndata: [DONE]\n\n")?;
            stream.flush()
        }
        Reply::Json(text) => {
            let body = serde_json::json!({"id": "c1", "object": "chat.completion",
                "choices": [{"index": 0, "finish_reason": "stop",
                    "message": {"role": "assistant", "content": text}}]})
            .to_string();
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            )
        }
        Reply::Status(code, headers, body) => {
            write!(
                stream,
                "HTTP/1.1 {code} Error\r\nContent-Type: application/json\r\n"
            )?;
            for (name, value) in headers {
                write!(stream, "{name}: {value}\r\n")?;
            }
            write!(
                stream,
                "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        }
    }
}

fn stream(text: &str) -> Reply {
    Reply::Stream(text.to_string())
}

fn fenced(language: &str, code: &str) -> String {
    format!("```{language}\n{code}```\n")
}

fn server_error(code: u16) -> Reply {
    let body = serde_json::json!({"error": {"message": "the server is overloaded",
        "type": "server_error"}});
    Reply::Status(code, Vec::new(), body.to_string())
}

/// Runs `hexa ARGS` in `ws` against `server`, with the cache inside the workspace.
fn hexa(ws: &Workspace, server: &MockServer, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hexa"));
    command
        .args(args)
        .current_dir(ws.path(""))
        .env_remove("VIRTUAL_ENV")
        .env_remove("HEXA_LOG")
        .env("OPENAI_API_KEY", KEY)
        .env("HEXA_LLM_BASE_URL", &server.url)
        .env("HEXA_LLM_MODEL", "test-model")
        .env("HEXA_LLM_BACKOFF_MS", "10")
        .env("HEXA_LLM_TIMEOUT", "5")
        .env("XDG_CACHE_HOME", ws.path("cache"))
        .env("HOME", ws.path("home"));
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("hexa starts");
    Output {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn messages(body: &serde_json::Value) -> Vec<(String, String)> {
    body["messages"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|m| {
                    let role = m["role"].as_str().unwrap_or_default().to_string();
                    (role, m["content"].as_str().unwrap_or_default().to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Lists every file under `dir`, recursively, with its bytes.
fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(all_files(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            files.push((path.display().to_string(), bytes));
        }
    }
    files
}

fn assert_no_key(ws: &Workspace, outputs: &[&Output]) {
    for output in outputs {
        assert!(!output.stdout.contains(KEY), "key in stdout:\n{output}");
        assert!(!output.stderr.contains(KEY), "key in stderr:\n{output}");
    }
    for (path, bytes) in all_files(&ws.path("")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(KEY), "key in {path}");
    }
}

#[test]
fn flow_writes_a_good_answer() {
    let ws = Workspace::new();
    let server = MockServer::start(vec![stream(&fenced("mermaid", CHART))]);
    let out = hexa(
        &ws,
        &server,
        &["flow", "double a number", "-o", "flow.mmd"],
        &[],
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(ws.read("flow.mmd"), CHART);
    assert!(out.stderr.contains("wrote flow.mmd"), "{out}");
    assert_eq!(server.count(), 1);
    let body = server.body(0);
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["stream"], true);
    let sent = messages(&body);
    assert_eq!(sent[0].0, "system");
    assert!(sent[1].1.contains("double a number"), "{sent:?}");
    let head = server.head(0).to_ascii_lowercase();
    assert!(head.contains("post /v1/chat/completions "), "{head}");
    assert!(head.contains(&format!(
        "authorization: bearer {}",
        KEY.to_ascii_lowercase()
    )));
}

#[test]
fn flow_takes_chart_out_of_prose() {
    let ws = Workspace::new();
    let reply = format!(
        "Sure! Here is a flowchart for that.\n\n{}\nIt reads `n` and prints twice its value.",
        fenced("mermaid", CHART)
    );
    let server = MockServer::start(vec![stream(&reply)]);
    let out = hexa(&ws, &server, &["flow", "double a number"], &[]);
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(out.stdout, CHART);
}

#[test]
fn flow_reads_a_non_streaming_reply() {
    let ws = Workspace::new();
    let server = MockServer::start(vec![Reply::Json(fenced("", CHART))]);
    let out = hexa(&ws, &server, &["flow", "double a number"], &[]);
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(out.stdout, CHART);
}

#[test]
fn flow_retries_with_diagnostics() {
    let ws = Workspace::new();
    let server = MockServer::start(vec![
        stream(&fenced("mermaid", BROKEN_CHART)),
        stream(&fenced("mermaid", CHART)),
    ]);
    let out = hexa(&ws, &server, &["flow", "say hi", "-o", "flow.mmd"], &[]);
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(ws.read("flow.mmd"), CHART);
    assert_eq!(server.count(), 2);
    let sent = messages(&server.body(1));
    assert_eq!(sent.len(), 4, "{sent:?}");
    assert_eq!(sent[2].0, "assistant");
    assert!(sent[2].1.contains("A([Start] -->"), "{sent:?}");
    assert_eq!(sent[3].0, "user");
    assert!(sent[3].1.contains("flow.mmd:2:"), "{}", sent[3].1);
    assert!(sent[3].1.contains("error["), "{}", sent[3].1);
}

#[test]
fn flow_fails_after_four_invalid_charts() {
    let ws = Workspace::new();
    let server = MockServer::start(vec![stream(&fenced("mermaid", BROKEN_CHART))]);
    let out = hexa(&ws, &server, &["flow", "say hi", "-o", "flow.mmd"], &[]);
    assert_eq!(out.code, Some(2), "{out}");
    assert_eq!(server.count(), 4);
    assert!(out.stderr.starts_with("flow.mmd:2:"), "{out}");
    assert!(out.stderr.contains("after 4 attempts"), "{out}");
    assert!(!ws.path("flow.mmd").exists());
}

#[test]
fn flow_waits_for_retry_after() {
    let ws = Workspace::new();
    let limited = Reply::Status(
        429,
        vec![("Retry-After", "1".to_string())],
        r#"{"error":{"message":"rate limit reached","type":"requests"}}"#.to_string(),
    );
    let server = MockServer::start(vec![limited, stream(&fenced("mermaid", CHART))]);
    let started = Instant::now();
    let out = hexa(&ws, &server, &["flow", "double a number"], &[]);
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(out.stdout, CHART);
    assert_eq!(server.count(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn flow_gives_up_on_server_errors() {
    let ws = Workspace::new();
    let server = MockServer::start(vec![server_error(500)]);
    let out = hexa(&ws, &server, &["flow", "x"], &[("HEXA_LLM_RETRIES", "2")]);
    assert_eq!(out.code, Some(2), "{out}");
    assert_eq!(server.count(), 3);
    assert!(out.stderr.contains("HTTP 500 after 3 attempt(s)"), "{out}");
    assert!(out.stderr.contains("the server is overloaded"), "{out}");
}

#[test]
fn flow_times_out_on_slow_server() {
    let ws = Workspace::new();
    let slow = Reply::Delayed(Duration::from_secs(4), Box::new(stream(CHART)));
    let server = MockServer::start(vec![slow]);
    let env = [("HEXA_LLM_TIMEOUT", "0.4"), ("HEXA_LLM_RETRIES", "1")];
    let started = Instant::now();
    let out = hexa(&ws, &server, &["flow", "x"], &env);
    assert_eq!(out.code, Some(2), "{out}");
    assert!(out.stderr.contains("timed out after 2 attempt(s)"), "{out}");
    assert_eq!(server.count(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn flow_cache_hit_costs_nothing() {
    let ws = Workspace::new();
    let server = MockServer::start(vec![stream(&fenced("mermaid", CHART))]);
    let first = hexa(&ws, &server, &["flow", "double", "-o", "a.mmd"], &[]);
    let second = hexa(&ws, &server, &["flow", "double", "-o", "b.mmd"], &[]);
    assert_eq!(first.code, Some(0), "{first}");
    assert_eq!(second.code, Some(0), "{second}");
    assert_eq!(server.count(), 1);
    assert_eq!(ws.read("b.mmd"), CHART);
    let cached = all_files(&ws.path("cache/hexa/llm"));
    assert_eq!(
        cached.len(),
        1,
        "{:?}",
        cached.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let third = hexa(&ws, &server, &["flow", "double", "--no-cache"], &[]);
    assert_eq!(third.code, Some(0), "{third}");
    assert_eq!(server.count(), 2);
}

#[test]
fn flow_refuses_to_overwrite_before_asking() {
    let ws = Workspace::new();
    ws.write("flow.mmd", "keep me\n");
    let server = MockServer::start(vec![stream(&fenced("mermaid", CHART))]);
    let out = hexa(&ws, &server, &["flow", "x", "-o", "flow.mmd"], &[]);
    assert_eq!(out.code, Some(2), "{out}");
    assert!(out.stderr.contains("--force"), "{out}");
    assert_eq!(server.count(), 0);
    assert_eq!(ws.read("flow.mmd"), "keep me\n");
}

#[test]
fn key_never_leaks() {
    let ws = Workspace::new();
    // A server that echoes the key in its error body, as some proxies do.
    let echo = serde_json::json!({"error": {"message": format!("invalid key {KEY}")}});
    let server = MockServer::start(vec![
        stream(&fenced("mermaid", CHART)),
        Reply::Status(401, Vec::new(), echo.to_string()),
    ]);
    let trace = [("HEXA_LOG", "trace")];
    let good = hexa(&ws, &server, &["flow", "a", "-o", "flow.mmd"], &trace);
    assert_eq!(good.code, Some(0), "{good}");
    let rejected = hexa(&ws, &server, &["flow", "b"], &trace);
    assert_eq!(rejected.code, Some(2), "{rejected}");
    assert!(
        rejected.stderr.contains("invalid key [redacted]"),
        "{rejected}"
    );
    let doctor = hexa(&ws, &server, &["doctor"], &[]);
    assert!(doctor.stdout.contains("llm key: set"), "{doctor}");
    assert_no_key(&ws, &[&good, &rejected, &doctor]);
}

const STUB_CHART: &str = "flowchart TD\n    A([Start]) --> B[load the csv file]\n    \
                          B --> C[compute average of column x]\n    C --> D([End])\n";

const CODE: &str = "import math\n\n\ndef area(radius):\n    return math.pi * radius ** 2\n\n\n\
                    n = 3\ntotal = n * 2\nprint(total, area(n))\n";

#[test]
fn generate_llm_lays_out_cells() {
    let ws = Workspace::new();
    ws.write("chart.mmd", CHART);
    let reply = format!("Here is the code:\n{}", fenced("python", CODE));
    let server = MockServer::start(vec![stream(&reply)]);
    let args = [
        "generate",
        "--llm",
        "chart.mmd",
        "-o",
        "out.py",
        "--prompt",
        "use math",
    ];
    let out = hexa(&ws, &server, &args, &[]);
    assert_eq!(out.code, Some(0), "{out}");
    assert!(!out.stderr.contains("falling back"), "{out}");
    let notebook = ws.read("out.py");
    assert!(
        notebook.contains("@app.cell\ndef _():\n    import math\n"),
        "{notebook}"
    );
    assert!(notebook.contains("    def area(radius):\n"), "{notebook}");
    assert!(notebook.contains("def _(area):\n    n = 3\n"), "{notebook}");
    assert!(notebook.contains("mo.mermaid("), "{notebook}");
    let sent = messages(&server.body(0));
    assert!(sent[1].1.contains("Inputs: n"), "{}", sent[1].1);
    assert!(
        sent[1].1.contains("Instructions: use math"),
        "{}",
        sent[1].1
    );
    let check = hexa(&ws, &server, &["check", "--fast", "out.py"], &[]);
    assert_eq!(check.code, Some(0), "{check}");
}

#[test]
fn generate_llm_script_keeps_plain_code() {
    let ws = Workspace::new();
    ws.write("chart.mmd", CHART);
    let server = MockServer::start(vec![stream(&fenced("python", CODE))]);
    let out = hexa(
        &ws,
        &server,
        &["generate", "--llm", "--script", "chart.mmd"],
        &[],
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(ws.read("chart.py"), CODE);
}

#[test]
fn generate_llm_retries_with_syntax_errors() {
    let ws = Workspace::new();
    ws.write("chart.mmd", CHART);
    let server = MockServer::start(vec![
        stream(&fenced("python", "n = 3\nprint(n *)\n")),
        stream(&fenced("python", CODE)),
    ]);
    let out = hexa(
        &ws,
        &server,
        &["generate", "--llm", "chart.mmd", "-o", "out.py"],
        &[],
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(server.count(), 2);
    let sent = messages(&server.body(1));
    assert_eq!(sent.len(), 4, "{sent:?}");
    assert!(sent[3].1.contains("code.py:2:"), "{}", sent[3].1);
    assert!(ws.read("out.py").contains("def area(radius)"));
}

#[test]
fn generate_llm_falls_back_on_server_errors() {
    let ws = Workspace::new();
    ws.write("chart.mmd", CHART);
    let server = MockServer::start(vec![server_error(500)]);
    let env = [("HEXA_LLM_RETRIES", "2")];
    let out = hexa(
        &ws,
        &server,
        &["generate", "--llm", "chart.mmd", "-o", "llm.py"],
        &env,
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(server.count(), 3);
    assert!(out.stderr.contains("HTTP 500 after 3 attempt(s)"), "{out}");
    assert!(
        out.stderr
            .contains("falling back to the generator without a model"),
        "{out}"
    );
    let plain = hexa(
        &ws,
        &server,
        &["generate", "chart.mmd", "-o", "plain.py"],
        &[],
    );
    assert_eq!(plain.code, Some(0), "{plain}");
    assert_eq!(ws.read("llm.py"), ws.read("plain.py"));
    assert_eq!(server.count(), 3);
}

#[test]
fn generate_llm_falls_back_on_slow_server() {
    let ws = Workspace::new();
    ws.write("chart.mmd", CHART);
    let slow = Reply::Delayed(Duration::from_secs(4), Box::new(stream(CODE)));
    let server = MockServer::start(vec![slow]);
    let env = [("HEXA_LLM_TIMEOUT", "0.4"), ("HEXA_LLM_RETRIES", "0")];
    let out = hexa(
        &ws,
        &server,
        &["generate", "--llm", "chart.mmd", "-o", "out.py"],
        &env,
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert!(
        out.stderr.contains("request timed out after 1 attempt(s)"),
        "{out}"
    );
    assert!(out.stderr.contains("falling back"), "{out}");
    assert!(ws.read("out.py").contains("total = n * 2"));
}

#[test]
fn generate_fill_stubs_checks_each_function() {
    let ws = Workspace::new();
    ws.write("chart.mmd", STUB_CHART);
    let server = MockServer::start(vec![
        stream(&fenced(
            "python",
            "def load_the_csv_file():\n    return [1.0, 2.0, 3.0]\n",
        )),
        // Wrong name: rejected, and the problem goes back to the model.
        stream(&fenced("python", "def average():\n    return 2.0\n")),
        stream(&fenced(
            "python",
            "def compute_average_of_column_x():\n    import statistics\n    \
             return statistics.mean([1.0, 2.0, 3.0])\n",
        )),
    ]);
    let out = hexa(
        &ws,
        &server,
        &["generate", "--fill-stubs", "chart.mmd", "-o", "out.py"],
        &[],
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(server.count(), 3);
    assert!(out.stderr.contains("filled 2 stub(s)"), "{out}");
    let retry = messages(&server.body(2));
    assert!(
        retry[3].1.contains("def compute_average_of_column_x(...)"),
        "{retry:?}"
    );
    let notebook = ws.read("out.py");
    assert!(!notebook.contains("stub: "), "{notebook}");
    assert!(
        notebook.contains("        return [1.0, 2.0, 3.0]\n"),
        "{notebook}"
    );
    assert!(
        notebook.contains("        import statistics\n"),
        "{notebook}"
    );
    let check = hexa(&ws, &server, &["check", "--fast", "out.py"], &[]);
    assert_eq!(check.code, Some(0), "{check}");
}

#[test]
fn generate_key_never_leaks() {
    let ws = Workspace::new();
    ws.write("chart.mmd", STUB_CHART);
    let echo = serde_json::json!({"error": {"message": format!("bad key {KEY}")}});
    let server = MockServer::start(vec![Reply::Status(500, Vec::new(), echo.to_string())]);
    let env = [("HEXA_LOG", "trace"), ("HEXA_LLM_RETRIES", "1")];
    let llm = hexa(
        &ws,
        &server,
        &["generate", "--llm", "chart.mmd", "-o", "a.py"],
        &env,
    );
    assert_eq!(llm.code, Some(0), "{llm}");
    let stubs = hexa(
        &ws,
        &server,
        &["generate", "--fill-stubs", "chart.mmd", "-o", "b.py"],
        &env,
    );
    assert_eq!(stubs.code, Some(0), "{stubs}");
    assert!(stubs.stderr.contains("bad key [redacted]"), "{stubs}");
    assert_no_key(&ws, &[&llm, &stubs]);
}
