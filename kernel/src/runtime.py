"""Python side of the hexa kernel: runs cells in one namespace and reports output to Rust.

The Rust executor loads this module into the embedded interpreter and calls `Runtime`
methods on its Python thread. Output leaves through `emit(kind, *args)`, a Rust callable;
`request_input(prompt, password)` blocks in Rust until the frontend answers on stdin.
"""

import ast
import builtins
import codeop
import fnmatch
import getpass
import importlib.abc
import importlib.machinery
import importlib.util
import io
import json
import linecache
import os
import re
import signal
import sys
import time
import traceback

# Text written to stdout/stderr is sent at least this often while a cell runs (seconds).
STREAM_FLUSH_INTERVAL = 0.05
# A stream buffer larger than this many characters is sent at once.
STREAM_FLUSH_SIZE = 8192


class StdinNotImplementedError(NotImplementedError):
    """Raised by `input()` when the frontend does not support input requests."""


class StreamWriter(io.TextIOBase):
    """A text file that buffers writes and sends them as Jupyter `stream` messages.

    It derives from `io.TextIOBase` so code that inspects `sys.stdout` (marimo reads its
    `errors`, others call `fileno()` and expect `io.UnsupportedOperation`) finds the usual
    attributes."""

    def __init__(self, runtime, name):
        super().__init__()
        self._runtime = runtime
        self.name = name
        self._parts = []
        self._size = 0
        self._first_write = None

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not text:
            return 0
        if self._first_write is None:
            self._first_write = time.monotonic()
        self._parts.append(text)
        self._size += len(text)
        if (
            self._size >= STREAM_FLUSH_SIZE
            or time.monotonic() - self._first_write >= STREAM_FLUSH_INTERVAL
        ):
            self.flush()
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if not self._parts:
            return
        text = "".join(self._parts)
        self._parts = []
        self._size = 0
        self._first_write = None
        self._runtime.emit("stream", self.name, text)

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "strict"


def _b64(data):
    if not isinstance(data, bytes):
        return data
    import base64

    return base64.b64encode(data).decode("ascii")


_REPR_METHODS = [
    ("_repr_html_", "text/html"),
    ("_repr_markdown_", "text/markdown"),
    ("_repr_svg_", "image/svg+xml"),
    ("_repr_png_", "image/png"),
    ("_repr_jpeg_", "image/jpeg"),
    ("_repr_latex_", "text/latex"),
    ("_repr_json_", "application/json"),
    ("_repr_javascript_", "application/javascript"),
]


def format_object(obj):
    """Return the MIME bundle `(data, metadata)` of an object, IPython style."""
    data = {}
    metadata = {}
    method = getattr(obj, "_repr_mimebundle_", None)
    if callable(method) and not isinstance(obj, type):
        try:
            bundle = method(include=None, exclude=None)
        except TypeError:
            bundle = method()
        if isinstance(bundle, tuple) and len(bundle) == 2:
            bundle, metadata = bundle
        if isinstance(bundle, dict):
            data.update({key: _b64(value) for key, value in bundle.items()})
    if not isinstance(obj, type):
        for name, mime in _REPR_METHODS:
            method = getattr(obj, name, None)
            if mime in data or not callable(method):
                continue
            value = method()
            if isinstance(value, tuple) and len(value) == 2:
                value, extra = value
                metadata[mime] = extra
            if value is not None:
                data[mime] = _b64(value)
        figure = _matplotlib_png(obj)
        if figure is not None and "image/png" not in data:
            data["image/png"] = figure
    if "text/plain" not in data:
        data["text/plain"] = repr(obj)
    return data, metadata if isinstance(metadata, dict) else {}


def _matplotlib_png(obj):
    if not type(obj).__module__.startswith("matplotlib") or not hasattr(obj, "savefig"):
        return None
    import io

    buffer = io.BytesIO()
    obj.savefig(buffer, format="png", bbox_inches="tight")
    return _b64(buffer.getvalue())


def install_comms(runtime):
    """Route the `comm` package, which ipywidgets uses, through this kernel and return its
    manager. The kernel calls it once something imports `comm`."""
    import comm
    from comm.base_comm import BaseComm, CommManager

    class KernelComm(BaseComm):
        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            content = {"data": {} if data is None else data, "comm_id": self.comm_id, **keys}
            runtime.emit(
                "comm",
                msg_type,
                json.dumps(content, default=str),
                json.dumps(metadata or {}, default=str),
                [bytes(buffer) for buffer in buffers or []],
            )

        def handle_msg(self, msg):
            # BaseComm's version imports IPython, which this kernel does not need.
            if self._msg_callback:
                self._msg_callback(msg)

    manager = CommManager()
    comm.create_comm = KernelComm
    comm.get_comm_manager = lambda: manager
    return manager


# Lets a cell `await` at the top level, as IPython does.
TOP_LEVEL_AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
# Code flag of a coroutine, `inspect.CO_COROUTINE`. The kernel imports `inspect` only when
# it needs it, because the import adds about 0.7 MiB.
CO_COROUTINE = 0x80

HELP_REQUEST = re.compile(r"\s*(\?{0,2})([A-Za-z_][\w.]*)(\?{0,2})\s*\Z")


def help_request(code):
    """Return `(name, with_source)` when the cell is `name?`, `name??`, `?name` or `??name`."""
    match = HELP_REQUEST.match(code)
    if not match or not (match.group(1) or match.group(3)):
        return None
    return match.group(2), "??" in (match.group(1), match.group(3))


class DisplayHandle:
    """Handle that `display(..., display_id=...)` returns, to show or replace that one output."""

    def __init__(self, runtime, display_id):
        self._runtime = runtime
        self.display_id = display_id

    def display(self, obj, **kwargs):
        self._runtime.display(obj, display_id=self.display_id, **kwargs)

    def update(self, obj, **kwargs):
        self._runtime.update_display(obj, display_id=self.display_id, **kwargs)

    def __repr__(self):
        return f"<DisplayHandle display_id={self.display_id}>"


# Source of the matplotlib backend `module://hexa_kernel_inline`, which shows figures as PNG
# in the cell's output instead of opening windows.
INLINE_BACKEND = """
from matplotlib.backend_bases import FigureManagerBase as FigureManager
from matplotlib.backends.backend_agg import FigureCanvasAgg as FigureCanvas
import hexa_kernel_runtime


def show(*args, **kwargs):
    hexa_kernel_runtime.RUNTIME.show_figures()
"""


class KernelModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import hook that serves `hexa_kernel_inline` and adapts two packages once they load.

    IPython's display functions become this kernel's own, and `comm` sends its messages
    through this kernel.
    """

    def __init__(self, runtime):
        self._runtime = runtime

    def find_spec(self, name, path, target=None):
        if name == "hexa_kernel_inline":
            return importlib.util.spec_from_loader(name, self)
        if name == "comm":
            return self._patched(name, path, self._route_comms)
        if name == "IPython.core.display_functions":
            return self._patched(name, path, self._route_display)
        return None

    @staticmethod
    def _patched(name, path, adapt):
        """Return the module's usual spec, with `adapt(module)` run right after the module loads."""
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or not hasattr(spec.loader, "exec_module"):
            return None
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            adapt(module)

        spec.loader.exec_module = exec_module
        return spec

    def _route_display(self, module):
        runtime = self._runtime
        module.display = runtime.display
        module.update_display = runtime.update_display
        module.clear_output = runtime.clear_output
        module.publish_display_data = runtime.publish_display_data

    def _route_comms(self, module):
        self._runtime.comms = install_comms(self._runtime)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(compile(INLINE_BACKEND, "<hexa_kernel_inline>", "exec"), module.__dict__)


class ExitRequest:
    """Callable behind `exit` and `quit` in the namespace.

    Calling one, or naming it alone in a cell, requests that the client close, with the
    `ask_exit` payload as in IPython. `exit(keep_kernel=True)` closes the client and keeps
    the kernel running.
    """

    def __init__(self, runtime, name):
        self._runtime = runtime
        self._name = name

    def __call__(self, keep_kernel=False):
        self._runtime.exit_requested = {"source": "ask_exit", "keepkernel": bool(keep_kernel)}

    def __repr__(self):
        return f"Use {self._name}() or Ctrl-D to close the client."


class Runtime:
    """The kernel's namespace, execution count and history."""

    def __init__(self, emit, request_input):
        self.emit = emit
        self._request_input = request_input
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.namespace.update(
            display=self.display,
            update_display=self.update_display,
            clear_output=self.clear_output,
            exit=ExitRequest(self, "exit"),
            quit=ExitRequest(self, "quit"),
        )
        self.exit_requested = None
        self._loop = None
        self.history = []
        self.session = 1
        self.allow_stdin = False
        self.stdout = StreamWriter(self, "stdout")
        self.stderr = StreamWriter(self, "stderr")
        # Kept between cells too, so a background thread's prints reach the client.
        sys.stdout, sys.stderr = self.stdout, self.stderr
        self.signal_handler_installed = self._install_signal_handler()
        # Set once something imports the `comm` package. Until then no comm can be open.
        self.comms = None
        sys.meta_path.insert(0, KernelModules(self))
        os.environ.setdefault("MPLBACKEND", "module://hexa_kernel_inline")
        self._debugpy_endpoint = None

    def _install_signal_handler(self):
        """Let SIGINT raise KeyboardInterrupt and return whether that worked.

        It works only when this thread is Python's main thread, the one that started Python.
        """
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            return True
        except ValueError:
            return False

    # Output -------------------------------------------------------------------------------

    def flush_streams(self):
        self.stdout.flush()
        self.stderr.flush()

    def display(
        self,
        *objs,
        include=None,
        exclude=None,
        metadata=None,
        transient=None,
        display_id=None,
        raw=False,
        clear=False,
        update=False,
        **kwargs,
    ):
        """Show objects as `display_data`, or `update_display_data` with `update=True`.

        The arguments are IPython's. `display_id=True` makes a new id. With an id, return a
        `DisplayHandle` for it.
        """
        if display_id is True:
            import uuid

            display_id = uuid.uuid4().hex
        if clear:
            self.clear_output(wait=True)
        self.flush_streams()
        for obj in objs:
            if raw:
                data, meta = obj, {}
            else:
                data, meta = format_object(obj)
            if include is not None:
                data = {key: value for key, value in data.items() if key in include}
            if exclude is not None:
                data = {key: value for key, value in data.items() if key not in exclude}
            meta = {**meta, **(metadata or {})}
            shown = {**(transient or {})}
            if display_id is not None:
                shown["display_id"] = str(display_id)
            self.emit("display", json.dumps(data), json.dumps(meta), json.dumps(shown), update)
        if display_id is not None and not update:
            return DisplayHandle(self, display_id)
        return None

    def update_display(self, obj, *, display_id, **kwargs):
        """Replace the output shown earlier with the same `display_id`."""
        self.display(obj, display_id=display_id, update=True, **kwargs)

    def publish_display_data(self, data, metadata=None, source=None, *, transient=None, **kwargs):
        """Show a ready MIME bundle, like IPython's `publish_display_data`."""
        self.display(data, raw=True, metadata=metadata, transient=transient, **kwargs)

    def show_figures(self, skip=None):
        """Show the open pyplot figures (all but `skip`) as PNG, then close them all."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None or "hexa_kernel_inline" not in str(pyplot.get_backend()):
            return
        for number in pyplot.get_fignums():
            figure = pyplot.figure(number)
            if figure is not skip:
                self.display(figure)
        pyplot.close("all")

    def clear_output(self, wait=False):
        """Clear the cell's output, at once or (with `wait=True`) when new output arrives."""
        self.flush_streams()
        self.emit("clear", bool(wait))

    # Input --------------------------------------------------------------------------------

    def input(self, prompt=""):
        return self._read(str(prompt), False)

    def getpass(self, prompt="Password: ", stream=None):
        return self._read(str(prompt), True)

    def _read(self, prompt, password):
        if not self.allow_stdin:
            raise StdinNotImplementedError(
                "input() is not supported: the frontend does not accept input requests"
            )
        self.flush_streams()
        return self._request_input(prompt, password)

    # Execution ----------------------------------------------------------------------------

    def execute(
        self, code, silent, store_history, allow_stdin, count, user_expressions, filename=None
    ):
        """Run one cell and return the reply fields as a JSON string.

        `filename` is the cell's file while the debugger runs, so breakpoints set in that
        file hit.
        """
        self.allow_stdin = allow_stdin
        if filename is None:
            filename = f"<cell-{count}>" if store_history else "<cell>"
        elif sys.gettrace() is None:
            self._trace_again()
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        result = {"status": "ok"}
        output_text = None
        self.exit_requested = None
        asked = help_request(code)
        if asked:
            return self._page_help(*asked, store_history and not silent, count, code)
        with self._redirected():
            try:
                value = self._run(code, filename)
                if isinstance(value, ExitRequest):
                    value()
                    value = None
                if value is not None and not silent and not code.rstrip().endswith(";"):
                    self.namespace["_"] = value
                    data, metadata = format_object(value)
                    output_text = data.get("text/plain")
                    self.flush_streams()
                    self.emit("result", json.dumps(data), json.dumps(metadata))
                self.show_figures(skip=value)
            except BaseException as error:  # noqa: BLE001 - a cell may raise anything
                result = self._report_error(error)
            finally:
                self.flush_streams()
            result["user_expressions"] = self._user_expressions(user_expressions)
        if self.exit_requested is not None:
            result["payload"] = [self.exit_requested]
        if store_history and not silent:
            self.history.append((self.session, count, code, output_text))
        return json.dumps(result)

    def _page_help(self, name, with_source, store, count, code):
        """Reply to `name?` (or `name??`, with the source) with a `page` payload, as IPython
        does, or print that the name is not found."""
        text = json.loads(self.inspect(name, len(name), 1 if with_source else 0))
        result = {"status": "ok", "user_expressions": {}}
        if text is None:
            self.stdout.write(f"Object `{name}` not found.\n")
            self.flush_streams()
        else:
            result["payload"] = [{"source": "page", "data": {"text/plain": text}, "start": 0}]
        if store:
            self.history.append((self.session, count, code, None))
        return json.dumps(result)

    def run_flowchart(self, script, filename, store_history, allow_stdin, count):
        """Run a generated flowchart script and return the reply fields as JSON.

        `main()`'s local variables are copied into the namespace, so later cells can read them.
        """
        self.allow_stdin = allow_stdin
        linecache.cache[filename] = (len(script), None, script.splitlines(True), filename)
        result = {"status": "ok"}
        with self._redirected():
            try:
                self._run_flow_script(script, filename)
            except BaseException as error:  # noqa: BLE001 - a flow may raise anything
                result = self._report_error(error)
            finally:
                self.flush_streams()
        result["user_expressions"] = {}
        if store_history:
            self.history.append((self.session, count, script, None))
        return json.dumps(result)

    def _read_inputs_from_namespace(self, module):
        """Let the chart's inputs take the values of earlier cells.

        An input with no `--set` value that names a variable of the kernel namespace reads
        that variable instead of prompting.
        """
        read_input = module.get("read_input")
        if read_input is None:
            return
        presets = module.get("PRESETS", {})

        def read_from_namespace(name, repeated=False):
            if name not in presets and name in self.namespace:
                return self.namespace[name]
            return read_input(name, repeated)

        module["read_input"] = read_from_namespace

    def _run_flow_script(self, script, filename):
        module = {"__name__": "hexa_flowchart", "__builtins__": builtins}
        exec(compile(script, filename, "exec"), module)
        main = module.get("main")
        if main is None:
            return
        self._read_inputs_from_namespace(module)
        captured = {}

        def profile(frame, event, arg):
            if event == "return" and frame.f_code is main.__code__:
                captured.update(frame.f_locals)

        previous = sys.getprofile()
        sys.setprofile(profile)
        try:
            main()
        finally:
            sys.setprofile(previous)
            helpers = {"read_input", "main", "PRESETS", "ast", "sys", "__builtins__"}
            for name, value in module.items():
                if not name.startswith("__") and name not in helpers:
                    self.namespace[name] = value
            self.namespace.update(captured)

    def _run(self, code, filename):
        tree = ast.parse(code, filename, "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        self._eval(compile(tree, filename, "exec", flags=TOP_LEVEL_AWAIT))
        if last is not None:
            return self._eval(compile(last, filename, "eval", flags=TOP_LEVEL_AWAIT))
        return None

    def _eval(self, compiled):
        """Run compiled cell code.

        Code with a top-level `await` runs on the kernel's event loop, which stays the same
        from cell to cell.
        """
        result = eval(compiled, self.namespace)
        if compiled.co_flags & CO_COROUTINE:
            if self._loop is None:
                # Imported here because asyncio alone adds about 7 MiB to the kernel's memory.
                import asyncio

                self._loop = asyncio.new_event_loop()
                asyncio.set_event_loop(self._loop)
            result = self._loop.run_until_complete(result)
        return result

    # Comms --------------------------------------------------------------------------------

    def handle_comm(self, msg_type, message, buffers):
        """Pass a `comm_open`, `comm_msg` or `comm_close` from the client (`message` is its
        JSON: header, parent_header, metadata, content) to the comm manager."""
        message = json.loads(message)
        message["buffers"] = list(buffers)
        self.allow_stdin = False
        with self._redirected():
            try:
                if self.comms is not None:
                    getattr(self.comms, msg_type)(None, None, message)
                elif msg_type == "comm_open":
                    # Without the comm package, close the client's side at once, as for an
                    # unknown target.
                    content = {"data": {}, "comm_id": message["content"].get("comm_id")}
                    self.emit("comm", "comm_close", json.dumps(content), "{}", [])
            except BaseException as error:  # noqa: BLE001 - a comm handler may raise anything
                self._report_error(error)
            finally:
                self.flush_streams()
        return json.dumps({"status": "ok"})

    def comm_info(self, target_name):
        """Return the open comms as `comm_info_reply` lists them.

        Only the comms of `target_name` are returned when it is given.
        """
        comms = self.comms.comms if self.comms is not None else {}
        listed = {
            comm_id: {"target_name": comm.target_name}
            for comm_id, comm in comms.items()
            if not target_name or comm.target_name == target_name
        }
        return json.dumps({"status": "ok", "comms": listed})

    def _redirected(self):
        runtime = self

        class Redirect:
            def __enter__(self):
                self.saved = (sys.stdout, sys.stderr, builtins.input, getpass.getpass)
                sys.stdout, sys.stderr = runtime.stdout, runtime.stderr
                builtins.input = runtime.input
                getpass.getpass = runtime.getpass

            def __exit__(self, *exc):
                sys.stdout, sys.stderr, builtins.input, getpass.getpass = self.saved
                return False

        return Redirect()

    def _report_error(self, error):
        self.flush_streams()
        if isinstance(error, (SyntaxError, HexaCommandError)):
            # Leave out the traceback, because its frames would be the parser's or the
            # magic's, not the user's.
            lines = traceback.format_exception_only(type(error), error)
        else:
            lines = traceback.format_exception(type(error), error, self._user_traceback(error))
        content = {
            "status": "error",
            "ename": type(error).__name__,
            "evalue": str(error),
            "traceback": [line.rstrip("\n") for line in lines],
        }
        self.emit("error", json.dumps(content))
        return content

    @staticmethod
    def _user_traceback(error):
        """Drop this module's own frames from the front of the traceback."""
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        return tb

    def _user_expressions(self, expressions):
        results = {}
        for name, expression in (expressions or {}).items():
            try:
                value = eval(expression, self.namespace)
                data, metadata = format_object(value)
                results[name] = {"status": "ok", "data": data, "metadata": metadata}
            except Exception as error:  # noqa: BLE001 - reported to the frontend
                results[name] = {
                    "status": "error",
                    "ename": type(error).__name__,
                    "evalue": str(error),
                    "traceback": traceback.format_exception_only(type(error), error),
                }
        return results

    # Debugger -----------------------------------------------------------------------------

    def debugpy_listen(self):
        """Start debugpy's adapter once, on a free port of 127.0.0.1, and return its endpoint
        as JSON `[host, port]`. debugpy traces this thread from here on."""
        if self._debugpy_endpoint is None:
            # The kernel's interpreter runs frozen stdlib modules, and debugpy's warning about
            # them would go to the kernel's stderr on every start.
            os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
            import debugpy

            debugpy.configure(subProcess=False)
            host, port = debugpy.listen(("127.0.0.1", 0))
            self._debugpy_endpoint = [host, port]
        return json.dumps(self._debugpy_endpoint)

    def _trace_again(self):
        """Let debugpy trace this thread again after an interrupt at a breakpoint.

        Such an interrupt ends the cell that was stopped at the breakpoint. The
        KeyboardInterrupt was raised in debugpy's trace function, so CPython dropped the trace
        function and debugpy still counts the thread as suspended. This uses pydevd internals
        of debugpy 1.8.
        """
        if self._debugpy_endpoint is None:
            return
        try:
            import threading

            import pydevd_tracing
            from _pydevd_bundle.pydevd_additional_thread_info import set_additional_thread_info
            from _pydevd_bundle.pydevd_constants import STATE_RUN

            info = set_additional_thread_info(threading.current_thread())
            info.pydev_state = STATE_RUN
            info.pydev_step_cmd = -1
            pydevd_tracing.SetTrace(threading.gettrace())
        except Exception as error:  # noqa: BLE001 - pydevd internals vary by version
            message = f"hexa: failed to restore debugpy tracing for this cell: {error!r}"
            print(message, file=sys.__stderr__)

    def debug_globals(self):
        """Return the namespace's variables as DAP `variables`, for `inspectVariables`."""
        variables = []
        for name, value in list(self.namespace.items()):
            try:
                text = repr(value)
            except Exception as error:  # noqa: BLE001 - a repr can raise anything
                text = f"<repr failed: {type(error).__name__}>"
            variables.append(
                {
                    "name": name,
                    "value": text if len(text) <= 1000 else text[:1000] + "...",
                    "type": type(value).__name__,
                    "evaluateName": name,
                    "variablesReference": 0,
                }
            )
        return json.dumps(variables)

    def rich_variable(self, name):
        """Return the MIME bundle of a namespace variable as JSON `{data, metadata}`."""
        if name not in self.namespace:
            return json.dumps({"data": {}, "metadata": {}})
        data, metadata = format_object(self.namespace[name])
        return json.dumps({"data": data, "metadata": metadata}, default=str)

    @staticmethod
    def rich_from_repr(text):
        """Turn the repr of a `format_object` result, as a DAP evaluate returns it, into JSON
        `{data, metadata}`."""
        data, metadata = ast.literal_eval(text)
        return json.dumps({"data": data, "metadata": metadata}, default=str)

    @staticmethod
    def debug_modules(start, count):
        """Return the loaded modules with a `.py` source as a DAP `modules` body."""
        modules = list(sys.modules.values())
        end = len(modules) if count is None else start + count
        listed = []
        for index, module in enumerate(modules[start:end], start):
            origin = getattr(getattr(module, "__spec__", None), "origin", None)
            if isinstance(origin, str) and origin.endswith(".py"):
                listed.append({"id": index, "name": module.__name__, "path": origin})
        return json.dumps({"modules": listed, "totalModules": len(modules)})

    # Introspection ------------------------------------------------------------------------

    def complete(self, code, cursor_pos):
        """Return `(matches, cursor_start, cursor_end)` as JSON for the name at the cursor."""
        before = code[:cursor_pos]
        line = before.rsplit("\n", 1)[-1]
        magic = re.fullmatch(r"\s*(%{1,2}\w*)", line)
        if magic:
            word = magic.group(1)
            matches = [name for name in MAGICS if name.startswith(word)]
            return json.dumps([matches, cursor_pos - len(word), cursor_pos])
        module = re.fullmatch(r"\s*(?:import|from)\s+([\w.]*)", line)
        if module:
            word = module.group(1)
            return json.dumps([module_names(word), cursor_pos - len(word), cursor_pos])
        token = re.search(r"[\w.]*$", before).group(0)
        import rlcompleter

        completer = rlcompleter.Completer(self.namespace)
        matches = []
        seen = set()
        for state in range(1000):
            try:
                match = completer.complete(token, state)
            except Exception:  # noqa: BLE001 - attribute access can raise anything
                break
            if match is None:
                break
            match = match.rstrip("(")
            if match not in seen:
                seen.add(match)
                matches.append(match)
        return json.dumps([matches, cursor_pos - len(token), cursor_pos])

    def inspect(self, code, cursor_pos, detail_level):
        """Return the help text of the name at the cursor as JSON, or null when not found."""
        import inspect

        start = cursor_pos
        while start > 0 and (code[start - 1].isalnum() or code[start - 1] in "._"):
            start -= 1
        end = cursor_pos
        while end < len(code) and (code[end].isalnum() or code[end] == "_"):
            end += 1
        name = code[start:end]
        if not name and start > 0 and code[start - 1] == "(":
            return self.inspect(code, start - 1, detail_level)
        obj = self._lookup(name)
        if obj is _MISSING:
            return "null"
        lines = [f"{name}: {type(obj).__name__}"]
        try:
            lines.append(f"Signature: {name}{inspect.signature(obj)}")
        except (TypeError, ValueError):
            pass
        doc = inspect.getdoc(obj)
        if doc:
            lines.append(doc)
        if detail_level and not isinstance(obj, (int, float, str, bytes)):
            try:
                lines.append(inspect.getsource(obj))
            except (OSError, TypeError):
                pass
        if len(lines) > 1:
            text = "\n".join(lines)
        else:
            import pydoc

            text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
        return json.dumps(text)

    def _lookup(self, dotted):
        if not dotted or not all(part.isidentifier() for part in dotted.split(".")):
            return _MISSING
        head, *rest = dotted.split(".")
        if head in self.namespace:
            obj = self.namespace[head]
        elif hasattr(builtins, head):
            obj = getattr(builtins, head)
        else:
            return _MISSING
        for part in rest:
            try:
                obj = getattr(obj, part)
            except Exception:  # noqa: BLE001 - properties can raise anything
                return _MISSING
        return obj

    @staticmethod
    def is_complete(code):
        """Return `[status, indent]` as JSON, as in an `is_complete_reply`."""
        if code.startswith("%%"):
            # As in IPython, a cell magic such as `%%flowchart` runs until a blank line.
            return json.dumps(["complete" if code.endswith("\n\n") else "incomplete", ""])
        compiler = codeop.CommandCompiler()
        compiler.compiler.flags |= TOP_LEVEL_AWAIT
        try:
            compiled = compiler(code, "<cell>", "exec")
        except (SyntaxError, ValueError, OverflowError):
            return json.dumps(["invalid", ""])
        last = code.rstrip("\n").split("\n")[-1]
        # As in IPython, an indented block stays open until a blank line ends it.
        block_open = last[:1].isspace() and not code.endswith("\n\n")
        if compiled is None or block_open:
            indent = last[: len(last) - len(last.lstrip())]
            if last.rstrip().endswith(":"):
                indent += "    "
            return json.dumps(["incomplete", indent])
        return json.dumps(["complete", ""])

    def history_entries(self, access, output, session, start, stop, n, pattern, unique):
        """Return history entries `[session, line, input]` (or `[.., [input, output]]`)."""
        entries = list(self.history)
        if access == "range":
            entries = [
                e for e in entries if e[0] == (session or self.session) and start <= e[1] < stop
            ]
        elif access == "search":
            entries = [e for e in entries if fnmatch.fnmatch(e[2], pattern or "*")]
            if unique:
                kept = {}
                for entry in entries:
                    kept.pop(entry[2], None)
                    kept[entry[2]] = entry
                entries = list(kept.values())
            if n:
                entries = entries[-n:]
        else:
            entries = entries[-n:] if n else entries
        if output:
            rows = [[e[0], e[1], [e[2], e[3]]] for e in entries]
        else:
            rows = [[e[0], e[1], e[2]] for e in entries]
        return json.dumps(rows)


_MISSING = object()


HEXA_EXECUTABLE = None


def shell_command(command):
    """Run `command` in the shell for a `!command` line and show its output as it comes.

    An interrupt kills the command too.
    """
    import subprocess

    sys.stdout.flush()
    process = subprocess.Popen(
        command,
        shell=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
    )
    try:
        for line in process.stdout:
            sys.stdout.write(line)
        process.wait()
    except KeyboardInterrupt:
        process.kill()
        process.wait()
        raise
    finally:
        process.stdout.close()
        sys.stdout.flush()


def pip_command(arguments):
    """Run pip of the kernel's own environment for a `%pip ARGUMENTS` line."""
    import shlex

    shell_command(shlex.join([sys.executable, "-m", "pip", *shlex.split(arguments)]))


# Magics that a cell line can start with, for completion.
MAGICS = ["%%flowchart", "%hexa", "%matplotlib", "%pip"]


def module_names(prefix):
    """Return the names of the importable modules that start with `prefix` (`ma` or `os.pa`)."""
    import pkgutil

    package, _, start = prefix.rpartition(".")
    if package:
        try:
            parent = importlib.import_module(package)
        except Exception:  # noqa: BLE001 - importing runs arbitrary code
            return []
        path = getattr(parent, "__path__", None)
        names = [info.name for info in pkgutil.iter_modules(path)] if path else []
        # Modules that are attributes, such as `os.path`.
        names += [
            name for name, value in vars(parent).items() if isinstance(value, type(sys))
        ]
        found = {f"{package}.{name}" for name in names if name.startswith(start)}
    else:
        names = [info.name for info in pkgutil.iter_modules()]
        names += list(sys.builtin_module_names)
        found = {name for name in names if name.startswith(start)}
    return sorted(found)


class HexaCommandError(Exception):
    """Error of a `%hexa` command that exited non-zero. Its own output already gives the reason."""


def hexa_magic(arguments):
    """Run `hexa ARGUMENTS` for the `%hexa` line magic (`%hexa check nb.py`, `%hexa generate
    flow.mmd -o nb.py`, `%hexa run flow.mmd --set n=3`) and show what it prints."""
    import shlex
    import subprocess

    if HEXA_EXECUTABLE is None:
        raise RuntimeError("%hexa is not available: the kernel did not record its executable")
    words = shlex.split(arguments)
    command = [HEXA_EXECUTABLE, "--python", sys.prefix, *words]
    # Drop the kernel's own log level, because it would add hexa's log lines to the cell's
    # output.
    env = {name: value for name, value in os.environ.items() if name != "HEXA_LOG"}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        shown = shlex.join(["hexa", *words])
        raise HexaCommandError(f"{shown} exited with code {result.returncode}")

