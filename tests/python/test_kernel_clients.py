"""`hexa kernel` under `jupyter console`, raw zeromq sockets and Jupyter Kernel Gateway.

The raw tests start the kernel from a connection file they write themselves, so they can
send frames that no Jupyter client would: bad signatures, broken JSON, unknown message
types and oversized messages. After each, the kernel must still reply to `kernel_info`.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import websocket
import zmq
from jupyter_client.connect import write_connection_file
from jupyter_client.session import Session

ROOT = Path(__file__).resolve().parents[2]
HEXA = ROOT / "target/debug/hexa"
SPEC_PREFIX = ROOT / "target/test-kernelspec-clients"
VENV_BIN = Path(sys.executable).parent

# The oversized message is one byte over the kernel's limit (`MAX_MESSAGE_BYTES`).
MAX_MESSAGE_BYTES = 256 * 1024 * 1024


@pytest.fixture(scope="module")
def jupyter_env(tmp_path_factory):
    """Environment for Jupyter commands: the hexa kernelspec and private Jupyter folders."""
    subprocess.run(
        [str(HEXA), "--python", sys.prefix, "kernel", "install", "--prefix", str(SPEC_PREFIX)],
        check=True,
        capture_output=True,
    )
    base = tmp_path_factory.mktemp("jupyter")
    env = dict(os.environ)
    env["JUPYTER_PATH"] = str(SPEC_PREFIX / "share/jupyter")
    for name in ("RUNTIME", "CONFIG", "DATA"):
        env[f"JUPYTER_{name}_DIR"] = str(base / name.lower())
    return env


def process_gone(pid):
    """Return whether `pid` has exited (a zombie that nobody reaped counts as exited)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def wait_gone(pid, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process_gone(pid):
            return True
        time.sleep(0.05)
    return False


def test_console_runs_python_and_flowchart(jupyter_env, tmp_path):
    # `--simple-prompt` reads one line per cell, so the flowchart cell uses `;` separators.
    cells = [
        "import os; print('kernel pid', os.getpid())",
        "x = 6*7",
        "print('answer', x)",
        "flowchart LR; A[total = 2 + 3] --> B[/Print total/]",
        "print('total times ten', total * 10)",
        "exit",
        "print('after exit')",
    ]
    result = subprocess.run(
        [str(VENV_BIN / "jupyter"), "console", "--kernel", "hexa", "--simple-prompt"],
        input="\n".join(cells) + "\n",
        capture_output=True,
        text=True,
        env=jupyter_env,
        cwd=tmp_path,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "answer 42" in result.stdout
    assert "total = 2 + 3  # node: A" in result.stdout
    assert "total times ten 50" in result.stdout
    # `exit` sends the ask_exit payload, so the console ends before the last cell.
    assert "after exit" not in result.stdout
    assert "Do you really want to exit" not in result.stdout
    assert result.stderr == ""
    pid = int(result.stdout.split("kernel pid ", 1)[1].split()[0])
    assert wait_gone(pid), f"kernel process {pid} is still running after the console exited"


CLIENT_THAT_DIES = """
import sys, time
from jupyter_client.manager import start_new_kernel
manager, client = start_new_kernel(kernel_name="hexa", startup_timeout=30)
print(manager.provisioner.process.pid, flush=True)
time.sleep(600)
"""


def test_kernel_exits_with_killed_client(jupyter_env):
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT_THAT_DIES],
        env=jupyter_env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        kernel_pid = int(client.stdout.readline())
        assert not process_gone(kernel_pid)
    finally:
        client.kill()
        client.wait()
    assert wait_gone(kernel_pid, timeout=10), f"kernel {kernel_pid} outlived its client"


# Raw zeromq ---------------------------------------------------------------------------------


class RawKernel:
    """Kernel started from a hand-written connection file, with raw zeromq sockets."""

    def __init__(self, tmp_path, python=sys.prefix):
        key = uuid.uuid4().hex
        path = tmp_path / "connection.json"
        write_connection_file(str(path), ip="127.0.0.1", key=key.encode())
        self.info = json.loads(path.read_text())
        self.session = Session(key=key.encode())
        self.process = subprocess.Popen(
            [str(HEXA), "--python", str(python), "kernel", "--connection-file", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
        )
        self.context = zmq.Context()
        self.shell = self.connect(zmq.DEALER, "shell_port")
        self.control = self.connect(zmq.DEALER, "control_port")
        self.iopub = self.connect(zmq.SUB, "iopub_port")
        self.iopub.setsockopt(zmq.SUBSCRIBE, b"")

    def connect(self, kind, port_name):
        sock = self.context.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(f"tcp://127.0.0.1:{self.info[port_name]}")
        return sock

    def receive(self, sock, timeout=10):
        if not sock.poll(timeout * 1000):
            raise TimeoutError("no message from the kernel")
        _, frames = self.session.feed_identities(sock.recv_multipart())
        return self.session.deserialize(frames)

    def reply_to(self, sock, msg_id, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.receive(sock, timeout=max(deadline - time.monotonic(), 0.01))
            if message["parent_header"].get("msg_id") == msg_id:
                return message
        raise TimeoutError(f"no reply to {msg_id}")

    def request(self, sock, msg_type, content, timeout=10):
        sent = self.session.send(sock, msg_type, content)
        return self.reply_to(sock, sent["header"]["msg_id"], timeout)

    def iopub_for(self, msg_id, wait=0.5):
        """Return the iopub messages whose parent is `msg_id` that arrive within `wait` s."""
        found = []
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            if not self.iopub.poll(left * 1000):
                break
            message = self.receive(self.iopub)
            if message["parent_header"].get("msg_id") == msg_id:
                found.append(message)
        return found

    def execute(self, code, timeout=10):
        reply = self.request(self.shell, "execute_request", {"code": code}, timeout)
        return reply["content"]

    def evaluate(self, expression):
        reply = self.request(
            self.shell,
            "execute_request",
            {"code": "", "silent": True, "user_expressions": {"value": expression}},
        )
        return reply["content"]["user_expressions"]["value"]["data"]["text/plain"]

    def assert_alive(self):
        reply = self.request(self.shell, "kernel_info_request", {})
        assert reply["content"]["implementation"] == "hexa"
        assert self.process.poll() is None

    def signed_frames(self, msg_type, content, key=None):
        """Return the frames and msg_id of a message signed with `key`, or the right key."""
        session = self.session if key is None else Session(key=key, session=self.session.session)
        message = session.msg(msg_type, content)
        # Session numbers its msg_ids, so a second Session would repeat an earlier request's id.
        message["header"]["msg_id"] = message["msg_id"] = uuid.uuid4().hex
        return session.serialize(message), message["header"]["msg_id"]

    def stop(self):
        if self.process.poll() is None:
            try:
                self.request(self.control, "shutdown_request", {"restart": False}, timeout=5)
            except TimeoutError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.context.destroy(linger=0)


@pytest.fixture
def raw_kernel(tmp_path):
    kernel = RawKernel(tmp_path)
    # Wait until the kernel replies, so later timings do not include start-up.
    kernel.request(kernel.shell, "kernel_info_request", {}, timeout=30)
    time.sleep(0.2)  # let the iopub subscription settle
    yield kernel
    kernel.stop()
    assert kernel.process.returncode == 0, kernel.process.stderr.read().decode()


def test_first_execute_waits_for_python(tmp_path):
    """The kernel replies before CPython has started, and a cell sent at once still runs."""
    kernel = RawKernel(tmp_path)
    try:
        info = kernel.request(kernel.shell, "kernel_info_request", {}, timeout=30)
        assert info["content"]["language_info"]["version"].split(".")[:2] == [
            str(part) for part in sys.version_info[:2]
        ]
        reply = kernel.request(
            kernel.shell,
            "execute_request",
            {"code": "", "silent": True, "user_expressions": {"v": "6 * 7"}},
        )
        assert reply["content"]["user_expressions"]["v"]["data"]["text/plain"] == "42"
    finally:
        kernel.stop()
    assert kernel.process.returncode == 0, kernel.process.stderr.read().decode()


def test_iopub_listens_before_shell(tmp_path):
    """Once the shell port accepts connections, so do iopub, heartbeat, stdin and control."""
    key = uuid.uuid4().hex
    path = tmp_path / "connection.json"
    write_connection_file(str(path), ip="127.0.0.1", key=key.encode())
    info = json.loads(path.read_text())
    process = subprocess.Popen(
        [str(HEXA), "--python", sys.prefix, "kernel", "--connection-file", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", info["shell_port"]), timeout=1).close()
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "the shell port never opened"
                time.sleep(0.001)
        for name in ["iopub_port", "hb_port", "stdin_port", "control_port"]:
            socket.create_connection(("127.0.0.1", info[name]), timeout=1).close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_python_start_failure_stops_kernel(tmp_path):
    """With a venv of another Python version, the kernel names the mismatch and exits non-zero."""
    venv = tmp_path / "venv39"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/python").symlink_to(sys.executable)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.9.18\n")
    kernel = RawKernel(tmp_path, python=venv)
    try:
        kernel.process.wait(timeout=20)
    finally:
        kernel.stop()
    stderr = kernel.process.stderr.read().decode()
    assert kernel.process.returncode != 0
    assert "3.9" in stderr, stderr
    assert str(venv) in stderr, stderr


def test_bad_signature_never_runs(raw_kernel, tmp_path):
    marker = tmp_path / "forged-ran"
    code = f"forged = 1\nopen({str(marker)!r}, 'w').close()"
    frames, msg_id = raw_kernel.signed_frames(
        "execute_request", {"code": code}, key=b"not-the-key"
    )
    raw_kernel.shell.send_multipart(frames)
    assert raw_kernel.iopub_for(msg_id) == []
    assert raw_kernel.evaluate("'forged' in globals()") == "False"
    assert not marker.exists()


def test_unsigned_execute_never_runs(raw_kernel):
    frames, msg_id = raw_kernel.signed_frames("execute_request", {"code": "unsigned = 1"})
    frames[1] = b""
    raw_kernel.shell.send_multipart(frames)
    assert raw_kernel.iopub_for(msg_id) == []
    assert raw_kernel.evaluate("'unsigned' in globals()") == "False"


def signed(session, parts):
    """Return `<IDS|MSG>`, the signature of the four JSON frames `parts`, then the frames."""
    return [b"<IDS|MSG>", session.sign(parts), *parts]


@pytest.mark.parametrize(
    "case",
    [
        "one frame",
        "empty frame",
        "no delimiter",
        "too few frames",
        "header not JSON",
        "header without msg_type",
        "content not JSON",
        "content not an object",
        "non-hex signature",
    ],
)
def test_malformed_frames_are_dropped(raw_kernel, case):
    session = raw_kernel.session
    header = session.pack(session.msg_header("execute_request"))
    code = json.dumps({"code": "malformed_ran = 1"}).encode()
    frames = {
        "one frame": [b"garbage"],
        "empty frame": [b""],
        "no delimiter": [b"sig", header, b"{}", b"{}", code],
        "too few frames": [b"<IDS|MSG>", b"sig", header],
        "header not JSON": signed(session, [b"{not json", b"{}", b"{}", code]),
        "header without msg_type": signed(session, [b'{"msg_id": "x"}', b"{}", b"{}", code]),
        "content not JSON": signed(session, [header, b"{}", b"{}", b"\xff\xfe"]),
        "content not an object": signed(session, [header, b"{}", b"{}", b"[1, 2]"]),
        "non-hex signature": [b"<IDS|MSG>", b"zz", header, b"{}", b"{}", code],
    }[case]
    raw_kernel.shell.send_multipart(frames)
    raw_kernel.assert_alive()
    assert raw_kernel.evaluate("'malformed_ran' in globals()") == "False"


def test_invalid_content_gets_error_reply(raw_kernel):
    reply = raw_kernel.request(raw_kernel.shell, "execute_request", {"code": 5})
    assert reply["content"]["status"] == "error"
    raw_kernel.assert_alive()


def test_unknown_message_type_is_ignored(raw_kernel):
    for sock in (raw_kernel.shell, raw_kernel.control):
        sent = raw_kernel.session.send(sock, "frobnicate_request", {"x": 1})
        statuses = raw_kernel.iopub_for(sent["header"]["msg_id"])
        states = [m["content"]["execution_state"] for m in statuses]
        assert states in ([], ["busy", "idle"])
    raw_kernel.session.send(raw_kernel.shell, "not_a_request", {})
    raw_kernel.assert_alive()


def test_cell_magic_completes_at_blank_line(raw_kernel):
    def status(code):
        reply = raw_kernel.request(raw_kernel.shell, "is_complete_request", {"code": code})
        return reply["content"]["status"]

    assert status("%%flowchart") == "incomplete"
    assert status("%%flowchart\nflowchart TD\n  A[x = 1]\n") == "incomplete"
    assert status("%%flowchart\nflowchart TD\n  A[x = 1]\n\n") == "complete"


def test_oversized_message_is_dropped(raw_kernel):
    frames, msg_id = raw_kernel.signed_frames("execute_request", {"code": "big_ran = 1"})
    frames.append(b"\0" * (MAX_MESSAGE_BYTES + 1))
    raw_kernel.shell.send_multipart(frames, copy=False)
    del frames
    raw_kernel.assert_alive()
    assert raw_kernel.iopub_for(msg_id, wait=0.2) == []
    assert raw_kernel.evaluate("'big_ran' in globals()") == "False"


def test_kernel_survives_vanished_client(raw_kernel):
    sock = raw_kernel.connect(zmq.DEALER, "shell_port")
    code = "import time\nfor i in range(3):\n    print(i)\n    time.sleep(0.1)"
    sent = raw_kernel.session.send(sock, "execute_request", {"code": code})
    started = raw_kernel.iopub_for(sent["header"]["msg_id"], wait=0.15)
    assert started[0]["content"] == {"execution_state": "busy"}
    sock.close(linger=0)
    raw_kernel.assert_alive()
    assert raw_kernel.evaluate("i") == "2"


def test_interrupt_busy_loop(raw_kernel):
    sent = raw_kernel.session.send(raw_kernel.shell, "execute_request", {"code": "while True: pass"})
    msg_id = sent["header"]["msg_id"]
    time.sleep(0.5)
    started = time.monotonic()
    interrupt = raw_kernel.request(raw_kernel.control, "interrupt_request", {}, timeout=5)
    assert interrupt["msg_type"] == "interrupt_reply"
    assert interrupt["content"] == {"status": "ok"}
    reply = raw_kernel.reply_to(raw_kernel.shell, msg_id, timeout=5)
    assert time.monotonic() - started < 2
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    errors = [m for m in raw_kernel.iopub_for(msg_id) if m["msg_type"] == "error"]
    assert errors[0]["content"]["ename"] == "KeyboardInterrupt"
    assert raw_kernel.execute("after = 1 + 1")["status"] == "ok"
    assert raw_kernel.evaluate("after") == "2"


def test_sigint_interrupts_busy_loop(raw_kernel):
    sent = raw_kernel.session.send(raw_kernel.shell, "execute_request", {"code": "while True: pass"})
    time.sleep(0.5)
    raw_kernel.process.send_signal(signal.SIGINT)
    reply = raw_kernel.reply_to(raw_kernel.shell, sent["header"]["msg_id"], timeout=5)
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    raw_kernel.assert_alive()


# Jupyter Kernel Gateway ---------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return response.status, json.loads(text) if text else None


def ws_execute(ws, code):
    """Run `code` over a gateway WebSocket and return the execute_reply content and stdout."""
    msg_id = uuid.uuid4().hex
    header = {
        "msg_id": msg_id,
        "msg_type": "execute_request",
        "username": "test",
        "session": uuid.uuid4().hex,
        "date": "",
        "version": "5.3",
    }
    request = {
        "header": header,
        "parent_header": {},
        "metadata": {},
        "content": {"code": code, "silent": False},
        "channel": "shell",
        "buffers": [],
    }
    ws.send(json.dumps(request))
    # The reply (shell) and the output (iopub) arrive in no fixed order, so wait for both.
    streams, reply, idle = [], None, False
    while reply is None or not idle:
        message = json.loads(ws.recv())
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "stream":
            streams.append(message["content"]["text"])
        elif message["msg_type"] == "execute_reply":
            reply = message["content"]
        elif message["msg_type"] == "status":
            idle = message["content"]["execution_state"] == "idle"
    return reply, "".join(streams)


def test_kernel_gateway_runs_cell(jupyter_env, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "gateway.log", "w")
    gateway = subprocess.Popen(
        [
            str(VENV_BIN / "jupyter"),
            "kernelgateway",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--port_retries=0",
            "--KernelGatewayApp.default_kernel_name=hexa",
            "--JupyterWebsocketPersonality.list_kernels=True",
        ],
        env=jupyter_env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                http("GET", f"{base}/api")
                break
            except OSError:
                assert gateway.poll() is None, (tmp_path / "gateway.log").read_text()
                assert time.monotonic() < deadline, "the gateway did not start in 20 s"
                time.sleep(0.1)

        status, kernel = http("POST", f"{base}/api/kernels", {"name": "hexa"})
        assert status == 201
        assert kernel["name"] == "hexa"
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}/api/kernels/{kernel['id']}/channels", timeout=15
        )
        reply, output = ws_execute(ws, "print(6*7)")
        assert reply["status"] == "ok"
        assert output == "42\n"
        _, output = ws_execute(ws, "import os; print(os.getpid())")
        pid = int(output)
        ws.close()

        status, _ = http("DELETE", f"{base}/api/kernels/{kernel['id']}")
        assert status == 204
        _, kernels = http("GET", f"{base}/api/kernels")
        assert kernels == []
        assert wait_gone(pid), f"kernel process {pid} is still running after DELETE"
    finally:
        gateway.send_signal(signal.SIGTERM)
        try:
            gateway.wait(timeout=10)
        except subprocess.TimeoutExpired:
            gateway.kill()
            gateway.wait()
        log.close()
