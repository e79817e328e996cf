"""`hexa kernel` driven by real Jupyter clients: jupyter_client, jupyter_kernel_test, nbclient.

The kernelspec is installed with `hexa kernel install --prefix` into a temporary folder that
`JUPYTER_PATH` points at, so the tests never touch the user's Jupyter data directory.
"""

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import jupyter_kernel_test
import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
HEXA = ROOT / "target/debug/hexa"
SPEC_PREFIX = ROOT / "target/test-kernelspec"

subprocess.run(
    [str(HEXA), "--python", sys.prefix, "kernel", "install", "--prefix", str(SPEC_PREFIX)],
    check=True,
    capture_output=True,
)
os.environ["JUPYTER_PATH"] = str(SPEC_PREFIX / "share/jupyter")

FLOWCHART_CELL = "%%flowchart\nflowchart TD\n  A[total = 2 + 3] --> B[/Print total/]\n"


@pytest.fixture(scope="module")
def kernel():
    manager, client = start_new_kernel(kernel_name="hexa", startup_timeout=30)
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=False)


def collect(client, msg_id, timeout=10):
    """Return the iopub messages of one request, up to and including its `idle`."""
    messages = []
    while True:
        message = client.get_iopub_msg(timeout=timeout)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(message)
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return messages


def execute(client, code, **options):
    msg_id = client.execute(code, **options)
    reply = client.get_shell_msg(timeout=20)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply["content"], collect(client, msg_id)


def test_output_before_idle(kernel):
    reply, messages = execute(kernel, "print('a')\n1+1")
    kinds = [m["msg_type"] for m in messages]
    assert kinds == ["status", "execute_input", "stream", "execute_result", "status"]
    assert messages[2]["content"] == {"name": "stdout", "text": "a\n"}
    assert messages[3]["content"]["data"]["text/plain"] == "2"
    assert messages[3]["content"]["execution_count"] == reply["execution_count"]
    time.sleep(0.2)
    with pytest.raises(Exception):
        kernel.get_iopub_msg(timeout=0.2)


def test_execution_count_increments(kernel):
    first, _ = execute(kernel, "1")
    second, _ = execute(kernel, "2")
    assert second["execution_count"] == first["execution_count"] + 1
    unstored, _ = execute(kernel, "3", store_history=False)
    assert unstored["execution_count"] == second["execution_count"]


def test_error_has_traceback(kernel):
    reply, messages = execute(kernel, "def f():\n    return 1 / 0\nf()")
    assert reply["status"] == "error"
    assert reply["ename"] == "ZeroDivisionError"
    error = [m for m in messages if m["msg_type"] == "error"][0]
    assert any("line 2, in f" in line for line in error["content"]["traceback"])


def test_rich_display(kernel):
    code = (
        "class Rich:\n"
        "    def _repr_html_(self): return '<b>hi</b>'\n"
        "    def _repr_markdown_(self): return '**hi**'\n"
        "display(Rich())"
    )
    _, messages = execute(kernel, code)
    data = [m for m in messages if m["msg_type"] == "display_data"][0]["content"]["data"]
    assert data["text/html"] == "<b>hi</b>"
    assert data["text/markdown"] == "**hi**"


def test_input_without_stdin_fails_fast(kernel):
    reply, messages = execute(kernel, "name = input('who? ')", allow_stdin=False)
    assert reply["status"] == "error"
    assert reply["ename"] == "StdinNotImplementedError"
    assert messages[-1]["content"]["execution_state"] == "idle"


def test_input_with_stdin(kernel):
    msg_id = kernel.execute("name = input('who? ')", allow_stdin=True)
    request = kernel.get_stdin_msg(timeout=10)
    assert request["msg_type"] == "input_request"
    assert request["content"] == {"prompt": "who? ", "password": False}
    kernel.input("ada")
    reply = kernel.get_shell_msg(timeout=10)
    assert reply["content"]["status"] == "ok"
    collect(kernel, msg_id)
    _, messages = execute(kernel, "name")
    result = [m for m in messages if m["msg_type"] == "execute_result"][0]
    assert result["content"]["data"]["text/plain"] == "'ada'"


def test_interrupt_stops_sleep(kernel):
    msg_id = kernel.execute("import time\ntime.sleep(30)")
    time.sleep(0.5)
    started = time.monotonic()
    interrupt = kernel.session.send(kernel.control_channel.socket, "interrupt_request", {})
    reply = kernel.get_control_msg(timeout=5)
    assert time.monotonic() - started < 1.5
    assert reply["parent_header"]["msg_id"] == interrupt["header"]["msg_id"]
    assert reply["content"] == {"status": "ok"}
    shell = kernel.get_shell_msg(timeout=5)
    assert shell["content"]["ename"] == "KeyboardInterrupt"
    collect(kernel, msg_id)
    after, _ = execute(kernel, "'still alive'")
    assert after["status"] == "ok"


def test_flowchart_variables_reach_later_cells(kernel):
    reply, messages = execute(kernel, FLOWCHART_CELL)
    assert reply["status"] == "ok"
    bundles = [m["content"]["data"] for m in messages if m["msg_type"] == "display_data"]
    assert "text/vnd.mermaid" in bundles[0]
    assert "def main" in bundles[1]["text/plain"]
    _, messages = execute(kernel, "total * 10")
    result = [m for m in messages if m["msg_type"] == "execute_result"][0]
    assert result["content"]["data"]["text/plain"] == "50"


def test_bad_signature_is_dropped(kernel):
    forged = Session(key=b"not-the-key", session=kernel.session.session)
    forged.send(kernel.shell_channel.socket, "execute_request", {"code": "forged = 1"})
    time.sleep(0.5)
    _, messages = execute(kernel, "'forged' in globals()")
    result = [m for m in messages if m["msg_type"] == "execute_result"][0]
    assert result["content"]["data"]["text/plain"] == "False"


def test_notebook_with_flowchart_cell(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(FLOWCHART_CELL),
        nbformat.v4.new_code_cell("print(total + 1)"),
    ]
    notebook.metadata["kernelspec"] = {"name": "hexa", "display_name": "hexa", "language": "python"}
    resources = {"metadata": {"path": str(tmp_path)}}
    NotebookClient(notebook, timeout=30, kernel_name="hexa", resources=resources).execute()
    outputs = notebook.cells[1].outputs
    assert outputs[0]["text"] == "6\n"


class HexaKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "hexa"
    language_name = "python"
    file_extension = ".py"
    code_hello_world = "print('hello, world')"
    code_stderr = "import sys; print('test', file=sys.stderr)"
    completion_samples = [{"text": "zi", "matches": {"zip"}}]
    complete_code_samples = ["1", "print('hello, world')", "def f(x):\n  return x*2\n\n"]
    incomplete_code_samples = ["print('''hello", "def f(x):\n  x*2"]
    invalid_code_samples = ["import = 7q"]
    code_generate_error = "raise ValueError('boom')"
    code_execute_result = [{"code": "6*7", "result": "42"}, {"code": "'a' + 'b'", "result": "'ab'"}]
    code_display_data = [
        {"code": "display({'text/x-test': 'x'}, raw=True)", "mime": "text/x-test"},
        {"code": "class H:\n  def _repr_html_(self): return '<i>x</i>'\ndisplay(H())", "mime": "text/html"},
    ]
    code_history_pattern = "6*7"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "zip"
    code_clear_output = "clear_output()"
    code_page_something = "zip?"



def test_hexa_line_magic(kernel, tmp_path):
    chart = tmp_path / "flow.mmd"
    chart.write_text("flowchart TD\n  A[total = 2 + 3] --> B[/Print total/]\n")
    reply, messages = execute(kernel, f"%hexa run {chart}")
    assert reply["status"] == "ok"
    printed = "".join(
        m["content"]["text"]
        for m in messages
        if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
    )
    assert printed == "5\n"
    reply, _ = execute(kernel, f"%hexa check {tmp_path / 'missing.mmd'}")
    assert reply["status"] == "error"


def test_exit_requests_client_close(kernel):
    reply, _ = execute(kernel, "exit(keep_kernel=True)")
    assert reply["payload"] == [{"source": "ask_exit", "keepkernel": True}]
    reply, _ = execute(kernel, "quit")
    assert reply["payload"] == [{"source": "ask_exit", "keepkernel": False}]
    reply, messages = execute(kernel, "repr(exit)")
    assert reply["payload"] == []
    results = [m for m in messages if m["msg_type"] == "execute_result"]
    assert results[0]["content"]["data"]["text/plain"] == "'Use exit() or Ctrl-D to close the client.'"


def send_shell(client, msg_type, content, buffers=None):
    """Send a message of any type on shell and return its msg_id."""
    message = client.session.msg(msg_type, content)
    client.session.send(client.shell_channel.socket, message, buffers=buffers)
    return message["header"]["msg_id"]


ECHO_TARGET = """
import comm

def on_open(channel, open_message):
    channel.send({"opened": open_message["content"]["data"]})

    def on_msg(message):
        print("handler saw", message["content"]["data"])
        channel.send({"echo": message["content"]["data"]}, buffers=message["buffers"])

    channel.on_msg(on_msg)
    channel.on_close(lambda message: print("closed", message["content"]["data"]))

comm.get_comm_manager().register_target("echo", on_open)
"""


def test_comm_target_round_trip(kernel):
    reply, _ = execute(kernel, ECHO_TARGET)
    assert reply["status"] == "ok"

    opened = send_shell(kernel, "comm_open", {"comm_id": "c1", "target_name": "echo", "data": {"a": 1}})
    messages = collect(kernel, opened)
    assert [m["msg_type"] for m in messages] == ["status", "comm_msg", "status"]
    assert messages[1]["content"] == {"comm_id": "c1", "data": {"opened": {"a": 1}}}

    kernel.comm_info(target_name="echo")
    assert kernel.get_shell_msg(timeout=10)["content"]["comms"] == {"c1": {"target_name": "echo"}}
    kernel.comm_info(target_name="other")
    assert kernel.get_shell_msg(timeout=10)["content"]["comms"] == {}

    sent = send_shell(kernel, "comm_msg", {"comm_id": "c1", "data": {"b": 2}}, buffers=[b"\x00\x01"])
    messages = collect(kernel, sent)
    streams = [m["content"]["text"] for m in messages if m["msg_type"] == "stream"]
    assert streams == ["handler saw {'b': 2}\n"]
    echoes = [m for m in messages if m["msg_type"] == "comm_msg"]
    assert echoes[0]["content"]["data"] == {"echo": {"b": 2}}
    assert [bytes(b) for b in echoes[0]["buffers"]] == [b"\x00\x01"]

    closed = send_shell(kernel, "comm_close", {"comm_id": "c1", "data": {"bye": True}})
    streams = [m["content"]["text"] for m in collect(kernel, closed) if m["msg_type"] == "stream"]
    assert streams == ["closed {'bye': True}\n"]
    kernel.comm_info()
    assert kernel.get_shell_msg(timeout=10)["content"]["comms"] == {}


def test_comm_to_unknown_target_is_closed(kernel):
    opened = send_shell(kernel, "comm_open", {"comm_id": "c2", "target_name": "nobody", "data": {}})
    closes = [m for m in collect(kernel, opened) if m["msg_type"] == "comm_close"]
    assert [m["content"]["comm_id"] for m in closes] == ["c2"]


def test_kernel_opens_comm(kernel):
    code = (
        "from comm import create_comm\n"
        "channel = create_comm(target_name='from_kernel', data={'x': 1})\n"
        "channel.send({'y': 2}, buffers=[b'\\x07'])\n"
    )
    reply, messages = execute(kernel, code)
    assert reply["status"] == "ok"
    comm_messages = [m for m in messages if m["msg_type"].startswith("comm_")]
    assert [m["msg_type"] for m in comm_messages] == ["comm_open", "comm_msg"]
    opened, sent = comm_messages
    assert opened["content"]["target_name"] == "from_kernel"
    assert opened["content"]["data"] == {"x": 1}
    assert sent["content"]["comm_id"] == opened["content"]["comm_id"]
    assert [bytes(b) for b in sent["buffers"]] == [b"\x07"]


def test_help_request_pages_docstring(kernel):
    reply, _ = execute(kernel, "def twice(x):\n    'Return x doubled.'\n    return 2 * x")
    reply, _ = execute(kernel, "twice??")
    [page] = reply["payload"]
    assert page["source"] == "page"
    text = page["data"]["text/plain"]
    assert "Signature: twice(x)" in text
    assert "Return x doubled." in text
    reply, messages = execute(kernel, "?no_such_name")
    assert reply["payload"] == []
    streams = [m["content"]["text"] for m in messages if m["msg_type"] == "stream"]
    assert streams == ["Object `no_such_name` not found.\n"]


def test_ipywidgets_slider_syncs_both_ways(kernel):
    code = "import ipywidgets\nslider = ipywidgets.IntSlider(value=3)\nslider"
    reply, messages = execute(kernel, code)
    assert reply["status"] == "ok"
    opened = [m["content"] for m in messages if m["msg_type"] == "comm_open"]
    assert {c["target_name"] for c in opened} == {"jupyter.widget"}
    [result] = [m["content"] for m in messages if m["msg_type"] == "execute_result"]
    model_id = result["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    [slider_open] = [c for c in opened if c["comm_id"] == model_id]
    assert slider_open["data"]["state"]["_model_name"] == "IntSliderModel"
    assert slider_open["data"]["state"]["value"] == 3

    # When the client moves the slider, the kernel's widget follows.
    update = {"method": "update", "state": {"value": 7}, "buffer_paths": []}
    collect(kernel, send_shell(kernel, "comm_msg", {"comm_id": model_id, "data": update}))
    reply, messages = execute(kernel, "slider.value")
    [result] = [m["content"] for m in messages if m["msg_type"] == "execute_result"]
    assert result["data"]["text/plain"] == "7"

    # When the kernel sets the value, the client receives an update on the same comm.
    reply, messages = execute(kernel, "slider.value = 9")
    updates = [
        m["content"]["data"]
        for m in messages
        if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == model_id
    ]
    assert {"method": "update", "state": {"value": 9}, "buffer_paths": []} in updates


def outputs(messages, msg_type):
    return [m["content"] for m in messages if m["msg_type"] == msg_type]


def test_ipython_display_functions_reach_client(kernel):
    code = (
        "from IPython.display import HTML, clear_output, display\n"
        "display(HTML('<b>bold</b>'))\n"
        "handle = display('first', display_id=True)\n"
        "handle.update('second')\n"
        "clear_output()\n"
    )
    reply, messages = execute(kernel, code)
    assert reply["status"] == "ok"
    assert outputs(messages, "stream") == []
    shown = outputs(messages, "display_data")
    assert shown[0]["data"]["text/html"] == "<b>bold</b>"
    assert shown[1]["data"]["text/plain"] == "'first'"
    [updated] = outputs(messages, "update_display_data")
    assert updated["data"]["text/plain"] == "'second'"
    assert updated["transient"]["display_id"] == shown[1]["transient"]["display_id"]
    assert outputs(messages, "clear_output") == [{"wait": False}]


def test_display_include_and_exclude(kernel):
    bundle = "{'text/plain': 'p', 'text/html': '<i>h</i>'}"
    _, messages = execute(kernel, f"display({bundle}, raw=True, include=['text/html'])")
    assert outputs(messages, "display_data")[0]["data"] == {"text/html": "<i>h</i>"}
    _, messages = execute(kernel, f"display({bundle}, raw=True, exclude=['text/html'])")
    assert outputs(messages, "display_data")[0]["data"] == {"text/plain": "p"}


def test_pyplot_figures_show_inline(kernel):
    reply, messages = execute(kernel, "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])")
    assert reply["status"] == "ok"
    [result] = outputs(messages, "execute_result")
    assert "Line2D" in result["data"]["text/plain"]
    [figure] = outputs(messages, "display_data")
    assert base64.b64decode(figure["data"]["image/png"]).startswith(b"\x89PNG")

    _, messages = execute(kernel, "for n in range(2):\n    plt.plot([n])\n    plt.show()")
    assert len(outputs(messages, "display_data")) == 2

    # A figure that is the cell's value shows once, as the result.
    _, messages = execute(kernel, "fig, ax = plt.subplots()\nfig")
    assert "image/png" in outputs(messages, "execute_result")[0]["data"]
    assert outputs(messages, "display_data") == []


def test_ipywidgets_interact_shows_widget(kernel):
    _, messages = execute(kernel, "from ipywidgets import interact\ninteract(lambda x: x, x=5);")
    views = [d for d in outputs(messages, "display_data")
             if "application/vnd.jupyter.widget-view+json" in d["data"]]
    assert len(views) == 1


def test_background_thread_output_between_cells(kernel):
    code = (
        "import threading, time\n"
        "def later():\n"
        "    time.sleep(0.5)\n"
        "    print('from the background', flush=True)\n"
        "threading.Thread(target=later).start()\n"
    )
    msg_id = kernel.execute(code)
    assert kernel.get_shell_msg(timeout=20)["content"]["status"] == "ok"
    assert [m for m in collect(kernel, msg_id) if m["msg_type"] == "stream"] == []
    # The cell has finished and the thread prints only now. Its text still reaches the
    # client, with the cell that started the thread as parent.
    message = kernel.get_iopub_msg(timeout=10)
    assert message["msg_type"] == "stream"
    assert message["parent_header"]["msg_id"] == msg_id
    assert message["content"]["text"] == "from the background\n"


def test_flowchart_options_split_like_shell(kernel):
    cell = (
        "%%flowchart --set 'guess=[50, 42]' --set \"name=a b\"\n"
        "flowchart TD\n"
        "  A[Read guess] --> B[Read name] --> C[/Print guess, name/]\n"
    )
    reply, messages = execute(kernel, cell)
    assert reply["status"] == "ok", reply
    streams = [m["content"]["text"] for m in messages if m["msg_type"] == "stream"]
    assert "".join(streams) == "[50, 42] a b\n"


def test_flowchart_unclosed_quote_error(kernel):
    reply, _ = execute(kernel, "%%flowchart --set 'n=1\nflowchart TD\n  A[x = 1]\n")
    assert reply["status"] == "error"
    assert reply["ename"] == "FlowchartError"
    assert reply["evalue"] == "line 1:19: the ' quote is never closed"


def test_flowchart_errors_name_cell_positions(kernel):
    reply, _ = execute(kernel, "%%flowchart\nflowchart TD\n  A[x = 1 --> B")
    assert reply["ename"] == "FlowchartError"
    assert "line 3:4: unclosed `[` opened at 3:4" in reply["evalue"]


def test_top_level_await(kernel):
    code = "import asyncio\nawait asyncio.sleep(0)\nawait asyncio.sleep(0, result=21 * 2)"
    reply, messages = execute(kernel, code)
    assert reply["status"] == "ok"
    assert outputs(messages, "execute_result")[0]["data"]["text/plain"] == "42"
    # The loop stays the same from cell to cell, so a task started earlier can be awaited.
    execute(kernel, "task = asyncio.ensure_future(asyncio.sleep(0.01, result='done'))")
    _, messages = execute(kernel, "await task")
    assert outputs(messages, "execute_result")[0]["data"]["text/plain"] == "'done'"
    # A coroutine object that is not awaited is the cell's value, not run.
    _, messages = execute(kernel, "async def f():\n    return 1\nf()")
    assert "coroutine" in outputs(messages, "execute_result")[0]["data"]["text/plain"]
    kernel.is_complete("await asyncio.sleep(0)")
    assert kernel.get_shell_msg(timeout=10)["content"]["status"] == "complete"


def test_matplotlib_line_magic_is_accepted(kernel):
    reply, messages = execute(kernel, "%matplotlib inline\nif True:\n    %matplotlib\n1 + 1")
    assert reply["status"] == "ok", reply
    result = [m for m in messages if m["msg_type"] == "execute_result"][0]
    assert result["content"]["data"]["text/plain"] == "2"


def test_errors_without_internal_frames(kernel, tmp_path):
    reply, messages = execute(kernel, "x = (1,")
    assert reply["ename"] == "SyntaxError"
    [error] = outputs(messages, "error")
    assert not any("ast.py" in line for line in error["traceback"])

    reply, messages = execute(kernel, f"%hexa check {tmp_path / 'missing.mmd'}")
    assert reply["ename"] == "HexaCommandError"
    assert reply["evalue"] == f"hexa check {tmp_path / 'missing.mmd'} exited with code 2"
    [error] = outputs(messages, "error")
    assert not any("hexa_magic" in line for line in error["traceback"])


def test_flowchart_notebook_mode_follows_umask(kernel, tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    path = tmp_path / "out.py"
    cell = f"%%flowchart --notebook '{path}'\nflowchart TD\n  A[x = 1] --> B[/Print x/]\n"
    reply, _ = execute(kernel, cell)
    assert reply["status"] == "ok", reply
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_flowchart_inputs_read_earlier_cells(kernel):
    execute(kernel, "z = 5")
    reply, messages = execute(kernel, "%%flowchart\nflowchart TD\n  A[w = z * 2] --> B[/Print w/]\n")
    assert reply["status"] == "ok"
    assert [s["text"] for s in outputs(messages, "stream")] == ["10\n"]
    # A --set value wins over the namespace.
    _, messages = execute(
        kernel, "%%flowchart --set z=1\nflowchart TD\n  A[w = z * 2] --> B[/Print w/]\n"
    )
    assert [s["text"] for s in outputs(messages, "stream")] == ["2\n"]


def test_flowchart_read_sends_input_prompt(kernel):
    # Use a name that no other test defines, because a flowchart takes a name that the
    # namespace has from the namespace instead of prompting for it.
    cell = "%%flowchart\nflowchart TD\n  A[/Read prompted/] --> B[/Print prompted * 2/]\n"
    msg_id = kernel.execute(cell, allow_stdin=True)
    request = kernel.get_stdin_msg(timeout=10)
    assert request["content"] == {"prompt": "prompted: ", "password": False}
    kernel.input("21")
    reply = kernel.get_shell_msg(timeout=10)
    assert reply["content"]["status"] == "ok", reply["content"]
    streams = [m["content"]["text"] for m in collect(kernel, msg_id) if m["msg_type"] == "stream"]
    assert "".join(streams) == "42\n"


def stream_text(client, msg_id, name, timeout=10):
    """Return the text of the `name` streams of `msg_id`.

    Read up to its idle, then until `timeout` s pass without more text, because text from a
    child process may come after idle.
    """
    texts = [m["content"]["text"] for m in collect(client, msg_id)
             if m["msg_type"] == "stream" and m["content"]["name"] == name]
    while True:
        try:
            message = client.get_iopub_msg(timeout=timeout)
        except Exception:  # noqa: BLE001 - queue.Empty: nothing more came
            return "".join(texts)
        if message["msg_type"] == "stream" and message["content"]["name"] == name:
            texts.append(message["content"]["text"])
            timeout = 0.5


def test_child_and_fd_output_reach_client():
    manager, client = start_new_kernel(
        kernel_name="hexa", startup_timeout=30, env={**os.environ, "HEXA_LOG": "debug"}
    )
    try:
        msg_id = client.execute("import os\nos.system('echo from the child')")
        assert client.get_shell_msg(timeout=20)["content"]["status"] == "ok"
        assert stream_text(client, msg_id, "stdout", timeout=2) == "from the child\n"

        msg_id = client.execute("os.write(2, 'raw é\\n'.encode())")
        assert client.get_shell_msg(timeout=20)["content"]["status"] == "ok"
        # The kernel's own debug log stays on its stderr, so only the cell's bytes arrive.
        assert stream_text(client, msg_id, "stderr", timeout=2) == "raw é\n"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)


def test_shell_and_pip_lines(kernel):
    reply, messages = execute(kernel, "print('before')\n!echo from the shell\n!echo to stderr >&2")
    assert reply["status"] == "ok"
    text = "".join(s["text"] for s in outputs(messages, "stream") if s["name"] == "stdout")
    assert text == "before\nfrom the shell\nto stderr\n"
    reply, messages = execute(kernel, "%pip --version")
    assert reply["status"] == "ok"
    text = "".join(s["text"] for s in outputs(messages, "stream"))
    assert text.startswith("pip ")
    assert sys.prefix in text


def test_flowchart_updates_earlier_variable(kernel):
    execute(kernel, "counter = 41")
    reply, messages = execute(
        kernel, "%%flowchart\nflowchart TD\n  A[counter = counter + 1] --> B[/Print counter/]\n"
    )
    assert reply["status"] == "ok"
    assert [s["text"] for s in outputs(messages, "stream")] == ["42\n"]
    _, messages = execute(kernel, "counter")
    assert outputs(messages, "execute_result")[0]["data"]["text/plain"] == "42"


def test_flowchart_notebook_error_names_path(kernel, tmp_path):
    target = tmp_path / "missing" / "out.py"
    reply, _ = execute(
        kernel, f"%%flowchart --notebook {target}\nflowchart TD\n  A[v = 1] --> B[/Print v/]\n"
    )
    assert reply["status"] == "error"
    assert reply["evalue"] == f"cannot write {target}: No such file or directory (os error 2)"


def complete(client, code):
    client.complete(code, len(code))
    reply = client.get_shell_msg(timeout=10)["content"]
    return reply["matches"], reply["cursor_start"]


def test_completion_modules_and_magics(kernel):
    matches, start = complete(kernel, "import marim")
    assert "marimo" in matches
    assert start == len("import ")
    assert "max" not in matches
    matches, _ = complete(kernel, "from os.pa")
    assert "os.path" in matches
    matches, start = complete(kernel, "%%flo")
    assert matches == ["%%flowchart"]
    assert start == 0
    matches, _ = complete(kernel, "%")
    assert matches == ["%%flowchart", "%hexa", "%matplotlib", "%pip"]
