"""Time `hexa lsp` as an editor sees it: initialize, didChange to publishDiagnostics, and
hover and codeAction latency percentiles.

Usage: .venv/bin/python bench/lsp/run.py [--sizes 100,1000] [--requests 500]
       [--hexa target/release/hexa]

The client is a small JSON-RPC client over the server's stdio (framing, ids and a reader
thread), so the times include the pipe round trip but almost no client overhead. For each
size N it opens a chain of N assignment steps (`N0 --> N1 --> ...`), then:

- initialize: from spawning the process to the `initialize` response;
- didChange: from sending a one-line edit to the publishDiagnostics for that version,
  repeated 20 times (the server waits 150 ms after the last change before it checks, so
  this time includes that debounce);
- hover and codeAction: `--requests` sequential requests, each on a different node, after
  one warm-up request per method on the same document version.
"""

import argparse
import json
import queue
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Client:
    """A JSON-RPC client speaking LSP framing to a child process."""

    def __init__(self, command):
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.next_id = 0
        self.messages = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message):
        body = json.dumps(message).encode()
        header = f"Content-Length: {len(body)}\r\n\r\n".encode("ascii")
        self.process.stdin.write(header + body)
        self.process.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        """Send a request and return its response, dropping notifications meanwhile."""
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.wait(lambda message: message.get("id") == self.next_id)

    def wait(self, matches, timeout=60):
        deadline = time.perf_counter() + timeout
        while True:
            message = self.messages.get(timeout=max(0.0, deadline - time.perf_counter()))
            if "id" in message and "method" in message:
                # A request from the server (none is expected here): reply with null.
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            if matches(message):
                return message

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.process.wait(timeout=10)


def chain(nodes):
    lines = ["flowchart TD", "  N0([Start])"]
    for index in range(1, nodes):
        lines.append(f'  N{index - 1} --> N{index}["x{index} = {index}"]')
    return "\n".join(lines) + "\n"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(call):
    start = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - start) * 1000
    if "error" in response:
        raise RuntimeError(f"request failed: {response['error']}")
    return elapsed


CAPABILITIES = {
    "workspace": {
        "workspaceEdit": {"documentChanges": True, "resourceOperations": ["create"]}
    },
    "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}},
}


def measure(hexa, nodes, requests, folder):
    source = Path(folder) / f"chain{nodes}.mmd"
    text = chain(nodes)
    source.write_text(text)
    uri = source.as_uri()

    start = time.perf_counter()
    client = Client([str(hexa), "lsp"])
    client.request("initialize", {"processId": None, "capabilities": CAPABILITIES})
    initialize_ms = (time.perf_counter() - start) * 1000
    client.notify("initialized", {})

    document = {"uri": uri, "languageId": "mermaid", "version": 1, "text": text}
    client.notify("textDocument/didOpen", {"textDocument": document})
    client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")

    change_ms = []
    for version in range(2, 22):
        end = {"line": nodes + 1, "character": 0}
        change = {"range": {"start": end, "end": end}, "text": f"  N0 --> V{version}\n"}
        start = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
        )
        client.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"].get("version") == version
        )
        change_ms.append((time.perf_counter() - start) * 1000)

    def hover(index):
        line = 2 + index % (nodes - 1)
        return client.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": 2}},
        )

    def code_action(index):
        line = 2 + index % (nodes - 1)
        at = {"line": line, "character": 2}
        return client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": at, "end": at},
                "context": {"diagnostics": []},
            },
        )

    results = {"initialize": [initialize_ms], "didChange": change_ms}
    for name, call in [("hover", hover), ("codeAction", code_action)]:
        first_ms = timed(lambda: call(0))
        results[f"{name} (first)"] = [first_ms]
        results[name] = [timed(lambda i=i: call(i)) for i in range(1, requests + 1)]
    client.close()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="chart sizes in nodes")
    parser.add_argument("--requests", type=int, default=500, help="requests per method")
    parser.add_argument("--hexa", default=str(ROOT / "target/release/hexa"))
    options = parser.parse_args()

    print("| nodes | measure | n | p50 ms | p99 ms | max ms |")
    print("|---:|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for nodes in map(int, options.sizes.split(",")):
            for name, values in measure(options.hexa, nodes, options.requests, folder).items():
                p50 = statistics.median(values)
                p99 = percentile(values, 0.99)
                print(
                    f"| {nodes} | {name} | {len(values)} | {p50:.2f} | {p99:.2f} "
                    f"| {max(values):.2f} |"
                )


if __name__ == "__main__":
    main()
