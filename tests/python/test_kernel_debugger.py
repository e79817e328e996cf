"""Tests of the kernel's debugger (`debug_request` on control, `debug_event` on iopub).

jupyter_client drives the real kernel and debugpy the way JupyterLab's debugger does.
"""

import subprocess
import venv


# ipykernel (in the venv as a dependency of jupyter_console) has its own murmur2, which
# JupyterLab's matches, so it checks the cell file names independently.
from ipykernel.compiler import murmur2_x86
from jupyter_client.manager import start_new_kernel
# `kernel` is test_kernel's module-scoped fixture, so this module gets a kernel of its own.
from test_kernel import HEXA, SPEC_PREFIX, collect, execute, kernel  # noqa: F401

# A breakpoint on line 3 stops inside `add`, where a, b and total are local variables.
CELL = (
    "def add(a, b):\n"
    "    total = a + b\n"
    "    return total\n"
    "\n"
    "result = add(2, 3)\n"
    "print('result', result)\n"
)
TIMEOUT = 30


class Debug:
    """Client that sends DAP requests as `debug_request`s.

    It keeps the iopub messages that it skips while waiting for an event.
    """

    def __init__(self, client):
        self.client = client
        self.seq = 0
        self.iopub = []

    def request(self, command, arguments=None):
        self.seq += 1
        content = {"type": "request", "seq": self.seq, "command": command}
        if arguments is not None:
            content["arguments"] = arguments
        return self.send(content)

    def send(self, content):
        message = self.client.session.msg("debug_request", content)
        self.client.control_channel.send(message)
        while True:
            reply = self.client.get_control_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") == message["header"]["msg_id"]:
                assert reply["msg_type"] == "debug_reply"
                return reply["content"]

    def wait_for_event(self, event):
        while True:
            message = self.client.get_iopub_msg(timeout=TIMEOUT)
            if message["msg_type"] == "debug_event" and message["content"]["event"] == event:
                return message["content"]
            self.iopub.append(message)

    def collect(self, msg_id):
        """Return the iopub messages of `msg_id` up to its `idle`, skipped ones included."""
        seen = [m for m in self.iopub if m["parent_header"].get("msg_id") == msg_id]
        idle = [m for m in seen if m["msg_type"] == "status"]
        if any(m["content"]["execution_state"] == "idle" for m in idle):
            return seen
        return seen + collect(self.client, msg_id, timeout=TIMEOUT)


def start_debugger(debug):
    """Send initialize and attach, as JupyterLab does when the debugger is switched on."""
    initialize = debug.request(
        "initialize",
        {
            "clientID": "pytest",
            "adapterID": "python",
            "pathFormat": "path",
            "linesStartAt1": True,
            "columnsStartAt1": True,
            "supportsVariableType": True,
        },
    )
    assert initialize["success"] is True, initialize
    attach = debug.request("attach", {})
    assert attach["success"] is True, attach


def stop_at(debug, line):
    """Dump CELL, set a breakpoint on `line` and run the cell. Return (path, msg_id, thread)."""
    path = debug.request("dumpCell", {"code": CELL})["body"]["sourcePath"]
    arguments = {"source": {"path": path}, "breakpoints": [{"line": line}]}
    assert debug.request("setBreakpoints", arguments)["success"] is True
    assert debug.request("configurationDone")["success"] is True
    msg_id = debug.client.execute(CELL)
    stopped = debug.wait_for_event("stopped")
    return path, msg_id, stopped["body"]["threadId"]


def where(debug, thread):
    frames = debug.request("stackTrace", {"threadId": thread})["body"]["stackFrames"]
    return [(frame["name"], frame["line"]) for frame in frames]


def kernel_info(client):
    client.kernel_info()
    return client.get_shell_msg(timeout=TIMEOUT)["content"]


def test_bad_debug_requests_get_error_replies(kernel):
    debug = Debug(kernel)
    no_command = debug.send({"type": "request", "seq": 1})
    assert no_command["success"] is False
    assert "command" in no_command["message"]
    not_started = debug.request("stackTrace", {"threadId": 1})
    assert not_started["success"] is False
    assert "initialize" in not_started["message"]
    bad_cell = debug.request("dumpCell", {"code": 42})
    assert bad_cell["success"] is False
    reply, _ = execute(kernel, "'still alive'")
    assert reply["status"] == "ok"


def test_inspect_variables_when_idle(kernel):
    execute(kernel, "alpha = 41 + 1")
    debug = Debug(kernel)
    reply = debug.request("inspectVariables")
    assert reply["success"] is True
    variables = {v["name"]: v for v in reply["body"]["variables"]}
    assert variables["alpha"]["value"] == "42"
    assert variables["alpha"]["type"] == "int"
    assert "__builtins__" not in variables
    assert "display" not in variables
    rich = debug.request("richInspectVariables", {"variableName": "alpha"})
    assert rich["success"] is True
    assert rich["body"]["data"]["text/plain"] == "42"


def test_breakpoint_in_cell(kernel):
    assert kernel_info(kernel)["debugger"] is True
    debug = Debug(kernel)
    start_debugger(debug)

    info = debug.request("debugInfo")["body"]
    assert info["isStarted"] is True
    assert info["hashMethod"] == "Murmur2"
    dumped = debug.request("dumpCell", {"code": CELL})
    path = dumped["body"]["sourcePath"]
    name = murmur2_x86(CELL, info["hashSeed"])
    expected = f"{info['tmpFilePrefix']}{name}{info['tmpFileSuffix']}"
    assert path == expected
    source = debug.request("source", {"source": {"path": path}})
    assert source["body"]["content"] == CELL

    breakpoints = debug.request(
        "setBreakpoints",
        {"source": {"path": path}, "breakpoints": [{"line": 3}], "sourceModified": False},
    )
    assert breakpoints["success"] is True, breakpoints
    assert breakpoints["body"]["breakpoints"][0]["verified"] is True
    assert debug.request("configurationDone")["success"] is True
    info = debug.request("debugInfo")["body"]
    assert info["breakpoints"] == [{"source": path, "breakpoints": [{"line": 3}]}]

    msg_id = kernel.execute(CELL)
    stopped = debug.wait_for_event("stopped")
    thread = stopped["body"]["threadId"]
    assert thread in debug.request("debugInfo")["body"]["stoppedThreads"]

    frames = debug.request("stackTrace", {"threadId": thread})["body"]["stackFrames"]
    assert frames[0]["name"] == "add"
    assert frames[0]["line"] == 3
    assert frames[0]["source"]["path"] == path
    assert all(frame["source"]["path"] == path for frame in frames), frames
    scopes = debug.request("scopes", {"frameId": frames[0]["id"]})["body"]["scopes"]
    local_scope = next(scope for scope in scopes if scope["name"] == "Locals")
    reference = local_scope["variablesReference"]
    variables = debug.request("variables", {"variablesReference": reference})
    values = {v["name"]: v["value"] for v in variables["body"]["variables"]}
    assert values["a"] == "2"
    assert values["b"] == "3"
    assert values["total"] == "5"
    arguments = {"expression": "total * 2", "frameId": frames[0]["id"]}
    evaluated = debug.request("evaluate", arguments)
    assert evaluated["body"]["result"] == "10"
    rich = debug.request(
        "richInspectVariables", {"variableName": "total", "frameId": frames[0]["id"]}
    )
    assert rich["body"]["data"]["text/plain"] == "5"

    assert debug.request("continue", {"threadId": thread})["success"] is True
    reply = kernel.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "ok"
    assert stdout(debug, msg_id) == "result 5\n"
    assert debug.request("debugInfo")["body"]["stoppedThreads"] == []

    unknown = debug.request("noSuchCommand")
    assert unknown["success"] is False
    assert debug.request("disconnect", {"restart": False, "terminateDebuggee": False})["success"]
    assert debug.request("debugInfo")["body"]["isStarted"] is False
    reply, _ = execute(kernel, "result")
    assert reply["status"] == "ok"


def stdout(debug, msg_id):
    messages = debug.collect(msg_id)
    return "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")


def test_stepping_after_restart(kernel):
    """The debugger starts again after a disconnect, steps through a cell and copies a
    local variable to the kernel namespace."""
    debug = Debug(kernel)
    start_debugger(debug)
    path, msg_id, thread = stop_at(debug, 5)
    assert where(debug, thread) == [("<module>", 5)]
    assert debug.request("stepIn", {"threadId": thread})["success"] is True
    debug.wait_for_event("stopped")
    assert where(debug, thread) == [("add", 2), ("<module>", 5)]
    assert debug.request("next", {"threadId": thread})["success"] is True
    debug.wait_for_event("stopped")
    frames = debug.request("stackTrace", {"threadId": thread})["body"]["stackFrames"]
    assert (frames[0]["name"], frames[0]["line"]) == ("add", 3)
    frame = frames[0]["id"]
    arguments = {"srcVariableName": "total", "dstVariableName": "copied", "srcFrameId": frame}
    assert debug.request("copyToGlobals", arguments)["success"] is True
    assert debug.request("stepOut", {"threadId": thread})["success"] is True
    debug.wait_for_event("stopped")
    assert where(debug, thread) == [("<module>", 5)]

    modules = debug.request("modules", {})["body"]["modules"]
    assert any(module["name"] == "json" for module in modules)
    assert debug.request("continue", {"threadId": thread})["success"] is True
    assert kernel.get_shell_msg(timeout=TIMEOUT)["content"]["status"] == "ok"
    assert stdout(debug, msg_id) == "result 5\n"
    debug.request("setBreakpoints", {"source": {"path": path}, "breakpoints": []})
    debug.request("disconnect", {"restart": False, "terminateDebuggee": False})
    _, messages = execute(kernel, "copied")
    result = [m for m in messages if m["msg_type"] == "execute_result"][0]
    assert result["content"]["data"]["text/plain"] == "5"


def test_interrupt_at_breakpoint(kernel):
    """An interrupt ends a cell stopped at a breakpoint, and the breakpoint hits again when
    the cell runs again."""
    debug = Debug(kernel)
    start_debugger(debug)
    _, msg_id, thread = stop_at(debug, 3)
    kernel.session.send(kernel.control_channel.socket, "interrupt_request", {})
    assert kernel.get_control_msg(timeout=TIMEOUT)["content"] == {"status": "ok"}
    reply = kernel.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    continued = debug.wait_for_event("continued")
    assert continued["body"]["threadId"] == thread
    assert debug.request("debugInfo")["body"]["stoppedThreads"] == []
    reply, _ = execute(kernel, "'still alive'")
    assert reply["status"] == "ok"

    msg_id = kernel.execute(CELL)
    thread = debug.wait_for_event("stopped")["body"]["threadId"]
    assert where(debug, thread) == [("add", 3), ("<module>", 5)]
    assert debug.request("continue", {"threadId": thread})["success"] is True
    assert kernel.get_shell_msg(timeout=TIMEOUT)["content"]["status"] == "ok"
    assert stdout(debug, msg_id) == "result 5\n"
    debug.request("disconnect", {"restart": False, "terminateDebuggee": False})


def test_debugger_off_without_debugpy(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(SPEC_PREFIX / "share/jupyter"))
    env = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env)
    name = "hexa-nodebugpy"
    install = ["kernel", "install", "--prefix", str(SPEC_PREFIX), "--name", name]
    subprocess.run([str(HEXA), "--python", str(env), *install], check=True, capture_output=True)
    manager, client = start_new_kernel(kernel_name=name, startup_timeout=30)
    try:
        assert kernel_info(client)["debugger"] is False
        reply = Debug(client).request("initialize", {"adapterID": "python"})
        assert reply["success"] is False
        assert "debugpy" in reply["message"]
        reply, _ = execute(client, "1 + 1")
        assert reply["status"] == "ok"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)
