"""Run and lint marimo notebooks given as source text, for the hexa Rust bridge.

The bridge loads this module once into its embedded interpreter and calls `info`, `run`,
`check` and `export` from its Python thread. It relies on marimo internals (`marimo._ast`, `marimo._runtime`,
`marimo._lint`) as of marimo 0.25.2, so the marimo version is pinned by the project.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import io
import os
import platform
import site
import sys
import time
import traceback
from typing import Any, Callable

import marimo
from marimo._ast.app import InternalApp
from marimo._ast.compiler import compile_cell
from marimo._ast.errors import (
    CycleError,
    IncompleteRefsError,
    MultipleDefinitionError,
    SetupRootError,
    UnparsableError,
)
from marimo._ast.load import load_notebook_ir
from marimo._ast.names import SETUP_CELL_NAME
from marimo._ast.parse import MarimoFileError, parse_notebook
from marimo._convert.converters import MarimoConvert
from marimo._convert.script import UnsupportedAsyncCodeError, convert_from_ir_to_script
from marimo._lint.rule_engine import RuleEngine
from marimo._output.formatting import try_format
from marimo._output.hypertext import Html
from marimo._output.md import _md
from marimo._plugins.ui._core.ui_element import UIElement
from marimo._plugins.ui._impl.input import number, slider, text, text_area
from marimo._runtime.app.script_runner import AppScriptRunner
from marimo._runtime.control_flow import MarimoStopError
from marimo._runtime.exceptions import (
    MarimoMissingRefError,
    MarimoRuntimeException,
    unwrap_user_exception,
)
from marimo._schemas.serialization import ClassCell, FunctionCell, UnparsableCell


class NotebookError(Exception):
    """The notebook as a whole cannot be loaded or run (marimo's message is the argument)."""


class UnknownInputError(Exception):
    """An input names a variable that no cell defines."""

    def __init__(self, name: str, available: list[str]) -> None:
        super().__init__(name, available)
        self.name = name
        self.available = available


class InvalidInputError(Exception):
    """An input value cannot be applied to the variable or widget it names."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(name, message)
        self.name = name
        self.message = message


class MissingPackageError(Exception):
    """A Python package that an export needs is not installed (the package name is the argument)."""

    def __init__(self, package: str) -> None:
        super().__init__(package)
        self.package = package


def info() -> dict[str, Any]:
    """Describe the interpreter and the marimo it imported."""
    return {
        "executable": sys.executable,
        "python_version": platform.python_version(),
        "marimo_version": marimo.__version__,
        "site_packages": site.getsitepackages(),
    }


# --- loading ----------------------------------------------------------------------------------


def _parse(source: str, filename: str):
    try:
        ir = parse_notebook(source, filepath=filename)
    except MarimoFileError as e:
        raise NotebookError(f"not a marimo notebook: {e}") from None
    if ir is None:
        raise NotebookError("not a marimo notebook: the file is empty")
    if not ir.valid:
        reasons = "; ".join(v.description.rstrip(".") for v in ir.violations)
        raise NotebookError(f"not a marimo notebook: {reasons}")
    return ir


# Loaded notebooks by (source, filename): parsing and compiling is most of a warm run's time
# (about 60 of 70 ms for 100 cells), and the compiled app is not changed by running it, since
# each run gets fresh globals.
_LOADED: dict[tuple[str, str], tuple[Any, InternalApp, dict]] = {}
_LOADED_MAX = 8


def _load(source: str, filename: str):
    key = (source, filename)
    cached = _LOADED.pop(key, None)
    if cached is None:
        cached = _load_uncached(source, filename)
    _LOADED[key] = cached
    while len(_LOADED) > _LOADED_MAX:
        _LOADED.pop(next(iter(_LOADED)))
    return cached


def _load_uncached(source: str, filename: str):
    ir = _parse(source, filename)
    try:
        app = load_notebook_ir(ir, filepath=filename)
        app._maybe_initialize()
    except (UnparsableError, CycleError, MultipleDefinitionError, SetupRootError) as e:
        raise NotebookError(str(e)) from None
    except ValueError as e:
        # load_notebook_ir raises ValueError for a filename without a .py or .md suffix.
        raise NotebookError(str(e)) from None

    layout: dict[str, tuple[int, str, int]] = {}
    for index, (data, cell_ir) in enumerate(zip(app._cell_manager.cell_data(), ir.cells)):
        layout[data.cell_id] = (index, data.name, cell_ir.lineno)
        if data.cell is None:
            raise NotebookError(
                f"cell `{data.name}` at line {cell_ir.lineno} cannot be compiled: "
                f"{_compile_error(data.code, data.cell_id)}"
            )
    return app, InternalApp(app), layout


def _compile_error(code: str, cell_id: str) -> str:
    try:
        compile_cell(code, cell_id=cell_id)
    except Exception as e:  # noqa: BLE001 - any compile failure is reported as text
        return f"{type(e).__name__}: {e}"
    return "unknown compile error"


# --- inputs -----------------------------------------------------------------------------------


def _parse_literal(raw: str) -> Any:
    """Read `raw` as a Python literal, or keep it as a plain string if it is not one."""
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return raw


def _call_path(node: ast.AST) -> list[str]:
    """Collect the names along a call chain such as `mo.ui.number(...).form()`."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return parts
        else:
            return parts


def _assigns_ui_call(code: str, name: str) -> bool:
    """Tell whether the cell assigns `name` from a call that goes through a `ui` namespace.

    NOTE: a widget built by a helper (`x = make_widget()`) is not detected, so its cell is
    pruned and `x` becomes the plain input value.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            if isinstance(value, ast.Call) and "ui" in _call_path(value):
                return True
    return False


def _widget_value(name: str, raw: str, value: Any, element: UIElement) -> Any:
    """Convert an input to the value format the widget's frontend would send."""
    kind = type(element).__name__
    if isinstance(element, (text, text_area)):
        # A text box receives what the user typed: a quoted literal loses its quotes, anything
        # else (numbers, lists) is passed as the raw text.
        return value if isinstance(value, str) else raw
    if isinstance(element, (number, slider)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidInputError(name, f"mo.ui.{kind} `{name}` expects a number, got {raw!r}")
        start, stop = getattr(element, "start", None), getattr(element, "stop", None)
        if (start is not None and value < start) or (stop is not None and value > stop):
            raise InvalidInputError(
                name, f"{value!r} is outside the range [{start}, {stop}] of mo.ui.{kind} `{name}`"
            )
        return value
    return value


def _apply_widget_input(glbls: dict[str, Any], name: str, raw: str, value: Any) -> None:
    element = glbls.get(name)
    if not isinstance(element, UIElement):
        # The defining call did not return a widget after all, so override the plain value.
        glbls[name] = value
        return
    frontend_value = _widget_value(name, raw, value, element)
    try:
        element._update(frontend_value)
    except Exception as e:  # noqa: BLE001 - the widget's own conversion rejected the value
        kind = type(element).__name__
        raise InvalidInputError(name, f"mo.ui.{kind} `{name}` rejected {raw!r}: {e}") from None


class _InputPlan:
    """Destination of each input: a widget updated after its cell runs, or a plain override."""

    def __init__(self, iapp: InternalApp, inputs: list[tuple[str, str]]) -> None:
        self.widgets: dict[str, list[tuple[str, str, Any]]] = {}
        self.setup: list[tuple[str, str, Any]] = []
        self.overrides: dict[str, Any] = {}
        definitions = iapp.graph.definitions
        for name, raw in inputs:
            value = _parse_literal(raw)
            cell_ids = definitions.get(name)
            if name.startswith("_") or not cell_ids:
                available = sorted(n for n in definitions if not n.startswith("_"))
                raise UnknownInputError(name, available)
            cell_id = next(iter(cell_ids))
            if cell_id == SETUP_CELL_NAME:
                self.setup.append((name, raw, value))
            elif _assigns_ui_call(iapp.graph.cells[cell_id].code, name):
                self.widgets.setdefault(cell_id, []).append((name, raw, value))
            else:
                self.overrides[name] = value


# --- running ----------------------------------------------------------------------------------


class _Run:
    """Per-run state: the cell being run, its captured streams, and the records sent so far."""

    def __init__(self, iapp, layout, plan: _InputPlan, on_cell: Callable[[dict], None]) -> None:
        self.iapp = iapp
        self.layout = layout
        self.plan = plan
        self.on_cell = on_cell
        self.current: str | None = None
        self.started = 0.0
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.outcomes: dict[str, tuple[str, Any, BaseException | None]] = {}
        self.reported: set[str] = set()

    def begin_cell(self, cell_id: str) -> None:
        self.current = cell_id
        self.started = time.perf_counter()
        for buffer in (self.stdout, self.stderr):
            buffer.seek(0)
            buffer.truncate()

    def finish_cell(self) -> None:
        """Post-execute hook: build the record of the cell that just ran and send it."""
        cell_id, self.current = self.current, None
        if cell_id is None or cell_id == SETUP_CELL_NAME:
            return
        status, output, error = self.outcomes.pop(cell_id, ("ok", None, None))
        if status == "ok":
            # The runner executes cells in the namespace of the `__main__` module it installs.
            glbls = sys.modules["__main__"].__dict__
            for name, raw, value in self.plan.widgets.get(cell_id, []):
                _apply_widget_input(glbls, name, raw, value)
        self.emit(cell_id, status, output, error)

    def emit(self, cell_id: str, status: str, output: Any = None, error=None) -> None:
        index, name, def_line = self.layout.get(cell_id, (-1, "_", 0))
        record: dict[str, Any] = {
            "cell_id": cell_id,
            "name": name,
            "index": index,
            "def_line": def_line,
            "status": status,
            "stdout": self.stdout.getvalue() if status != "cancelled" else "",
            "stderr": self.stderr.getvalue() if status != "cancelled" else "",
            "elapsed": time.perf_counter() - self.started if status != "cancelled" else 0.0,
            "mime": None,
            "data": None,
            "text": None,
            "ename": None,
            "evalue": None,
            "traceback": None,
            "line_in_cell": None,
        }
        record.update(_format_output(output))
        if error is not None:
            record.update(_describe_error(error, self._cell_filename(cell_id)))
        self.reported.add(cell_id)
        self.on_cell(record)

    def emit_cancelled(self, cell_id: str) -> None:
        self.current = None
        self.emit(cell_id, "cancelled")

    def _cell_filename(self, cell_id: str) -> str | None:
        cell = self.iapp.graph.cells.get(cell_id)
        return None if cell is None else cell.body.co_filename


def _format_output(output: Any) -> dict[str, Any]:
    if output is None:
        return {}
    formatted = try_format(output)
    if isinstance(output, _md):
        text_repr = getattr(output, "_markdown_text", None)
    elif isinstance(output, Html):
        text_repr = None
    else:
        text_repr = formatted.data if formatted.mimetype == "text/plain" else repr(output)
    return {"mime": formatted.mimetype, "data": formatted.data, "text": text_repr}


def _describe_error(error: BaseException, cell_filename: str | None) -> dict[str, Any]:
    # Start the traceback at the cell's own frame so marimo's runner frames are left out.
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != cell_filename:
        tb = tb.tb_next
    if tb is None:
        tb = error.__traceback__
    line_in_cell = None
    walker = tb
    while walker is not None:
        if walker.tb_frame.f_code.co_filename == cell_filename:
            line_in_cell = walker.tb_lineno
        walker = walker.tb_next
    if line_in_cell is None and isinstance(error, SyntaxError):
        line_in_cell = error.lineno
    return {
        "ename": type(error).__name__,
        "evalue": str(error),
        "traceback": "".join(traceback.format_exception(type(error), error, tb)),
        "line_in_cell": line_in_cell,
    }


class _ObservedScheduler:
    """Wrap marimo's scheduler to see when each cell starts and which cells it skips."""

    def __init__(self, inner, run: _Run) -> None:
        self._inner = inner
        self._run = run

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._inner, attribute)

    def pop_cell(self):
        cell_id = self._inner.pop_cell()
        self._run.begin_cell(cell_id)
        return cell_id

    def cancelled(self, cell_id) -> bool:
        if not self._inner.cancelled(cell_id):
            return False
        if cell_id not in self._run.reported:
            self._run.emit_cancelled(cell_id)
        return True

    def stop(self) -> None:
        self._inner.interrupted = True

    def remaining(self) -> list[str]:
        return list(self._inner.cells_to_run)


class _CollectingRunner(AppScriptRunner):
    """marimo's script runner, changed to record every cell instead of raising the first error."""

    def __init__(self, iapp: InternalApp, filename: str, glbls: dict[str, Any], run: _Run):
        super().__init__(iapp, filename=filename, glbls=glbls)
        self._run = run
        self._scheduler = _ObservedScheduler(self._scheduler, run)

    def _handle_run_result(self, cid, result, outputs) -> None:
        exc = result.exception
        if exc is None:
            outputs[cid] = result.output
            self._run.outcomes[cid] = ("ok", result.output, None)
            return
        error = exc
        if isinstance(exc, MarimoRuntimeException):
            error = unwrap_user_exception(exc, self.app.graph) or exc
        if isinstance(error, MarimoStopError):
            # mo.stop: the cell succeeded with its output and its descendants do not run.
            outputs[cid] = error.output
            self._run.outcomes[cid] = ("ok", error.output, None)
            self._scheduler.cancel(cid)
            return
        if isinstance(error, MarimoMissingRefError):
            error = error.name_error if error.name_error is not None else error
        self._run.outcomes[cid] = ("error", None, error)
        self._scheduler.cancel(cid)
        if isinstance(error, KeyboardInterrupt):
            self._scheduler.stop()

    def _run_synchronous(self, post_execute_hooks):
        hooks = [*post_execute_hooks, self._run.finish_cell]
        with self._captured():
            outputs, glbls = super()._run_synchronous(post_execute_hooks=hooks)
        return outputs, glbls

    async def _run_asynchronous(self, post_execute_hooks):
        hooks = [*post_execute_hooks, self._run.finish_cell]
        with self._captured():
            outputs, glbls = await super()._run_asynchronous(post_execute_hooks=hooks)
        return outputs, glbls

    @contextlib.contextmanager
    def _captured(self):
        with contextlib.redirect_stdout(self._run.stdout):
            with contextlib.redirect_stderr(self._run.stderr):
                yield


def _run_setup(run: _Run, iapp: InternalApp) -> tuple[dict[str, Any], bool]:
    """Execute the setup cell, which marimo's script runner expects to have run already.

    Returns the setup cell's definitions and whether it failed.
    """
    setup = iapp.graph.cells.get(SETUP_CELL_NAME)
    if setup is None:
        return {}, False
    namespace: dict[str, Any] = {}
    run.begin_cell(SETUP_CELL_NAME)
    status, error = "ok", None
    with contextlib.redirect_stdout(run.stdout), contextlib.redirect_stderr(run.stderr):
        try:
            exec(setup.body, namespace)
            if setup.last_expr is not None:
                eval(setup.last_expr, namespace)
        except Exception as e:  # noqa: BLE001 - a failing setup cell is that cell's error
            status, error = "error", e
    run.emit(SETUP_CELL_NAME, status, None, error)
    glbls = {k: namespace[k] for k in setup.defs if k in namespace}
    if error is not None:
        return {}, True
    for name, raw, value in run.plan.setup:
        _apply_widget_input(glbls, name, raw, value)
    return glbls, False


def run(
    source: str, filename: str, inputs: list[tuple[str, str]], on_cell: Callable[[dict], None]
) -> None:
    """Run the notebook and pass one record per cell to `on_cell`, in execution order.

    A failing cell cancels its descendants and the run goes on. A KeyboardInterrupt (sent by
    the bridge on timeout or interrupt) ends the run, and the cells left are reported cancelled.
    """
    _app, iapp, layout = _load(source, filename)
    plan = _InputPlan(iapp, inputs)
    run = _Run(iapp, layout, plan, on_cell)
    runner = None
    try:
        glbls, setup_failed = _run_setup(run, iapp)
        try:
            runner = _CollectingRunner(iapp, filename, {**glbls, **plan.overrides}, run)
        except IncompleteRefsError as e:
            names = ", ".join(sorted(plan.overrides))
            raise InvalidInputError(names, str(e)) from None
        if setup_failed:
            runner._scheduler.cancel(SETUP_CELL_NAME)
        runner.run()
    except KeyboardInterrupt as interrupt:
        # The interrupt arrived outside a cell's code (in the runner's own bookkeeping).
        if run.current is not None and run.current not in run.reported:
            run.emit(run.current, "error", None, interrupt)

    # Cells still queued were never reached because the run was interrupted.
    if runner is not None:
        remaining = runner._scheduler.remaining()
    else:
        remaining = list(iapp.execution_order)
    for cell_id in remaining:
        if cell_id not in run.reported:
            run.emit_cancelled(cell_id)


def check(source: str, filename: str) -> list[tuple[str, str, str, Any, Any, str, bool]]:
    """Lint the notebook with marimo's default rules.

    Returns one row `(code, name, severity, line, column, message, fixable)` per location, with
    1-based file positions (None when the diagnostic has no position). A diagnostic with several
    locations, such as a name defined in several cells, gives one row per location.
    """
    ir = _parse(source, filename)
    diagnostics = asyncio.run(RuleEngine.create_default().check_notebook(ir, source))
    file_lines = source.splitlines()
    rows = []
    for d in diagnostics:
        lines = d.line if isinstance(d.line, list) else [d.line]
        columns = d.column if isinstance(d.column, list) else [d.column]
        for line, column in zip(lines, columns):
            position = _file_position(ir, file_lines, line, column)
            severity = getattr(d.severity, "value", str(d.severity))
            rows.append((d.code, d.name, severity, *position, d.message, d.fixable is True))
    rows.sort(key=lambda row: (row[3] is None, row[3] or 0, row[4] or 0, row[0]))
    return rows


def _file_position(ir, file_lines: list[str], line: int, column: int) -> tuple[Any, Any]:
    """Turn a marimo lint position into a 1-based (line, column) in the file.

    marimo 0.25 stores lint lines 0-based (its CLI adds 1 before marking the line) and columns
    relative to the dedented cell body, so the body's indentation is added back here.
    """
    if line < 0 or (line == 0 and column == 0):
        return None, None
    line_1 = line + 1
    column_1 = max(column, 1)
    for cell in ir.cells:
        if isinstance(cell, (FunctionCell, ClassCell, UnparsableCell)):
            continue
        end = cell.end_lineno or cell.lineno
        if cell.lineno < line_1 <= end:
            column_1 += _body_indent(cell, file_lines)
            break
    return line_1, column_1


def _body_indent(cell, file_lines: list[str]) -> int:
    """Find how far the cell body is indented in the file, from its first code line."""
    first = next((ln.strip() for ln in cell.code.splitlines() if ln.strip()), None)
    if first is None:
        return 0
    end = cell.end_lineno or len(file_lines)
    for text_line in file_lines[cell.lineno : end]:
        if text_line.strip() == first:
            return len(text_line) - len(text_line.lstrip())
    return 0


# --- export -----------------------------------------------------------------------------------


def export(source: str, filename: str, to: str) -> str:
    """Convert the notebook to `to` (`ipynb`, `md` or `script`) with marimo's own converters.

    These conversions read the cells only, so nothing runs. The ipynb has no outputs and lists
    the cells in dependency order, or in file order when the notebook has a cycle or a name
    defined twice (what `marimo export ipynb` does).
    """
    ir = _parse(source, filename)
    if to == "script":
        try:
            return convert_from_ir_to_script(ir)
        except UnsupportedAsyncCodeError as e:
            raise NotebookError(str(e)) from None
    if to == "md":
        return MarimoConvert.from_ir(ir).to_markdown(filename=os.path.basename(filename))
    if to == "ipynb":
        return _export_ipynb(ir, filename)
    raise ValueError(f"unknown export format {to!r}")


def _export_ipynb(ir, filename: str) -> str:
    try:
        import nbformat  # noqa: F401  (marimo's converter imports it; fail early with its name)
    except ModuleNotFoundError:
        raise MissingPackageError("nbformat") from None
    from marimo._convert.ipynb.from_ir import convert_from_ir_to_ipynb

    try:
        app = load_notebook_ir(ir, filepath=filename)
    except (UnparsableError, SetupRootError, ValueError) as e:
        raise NotebookError(str(e)) from None
    iapp = InternalApp(app)
    sort_mode = "topological"
    try:
        _ = iapp.graph
    except (CycleError, MultipleDefinitionError):
        sort_mode = "top-down"
    return convert_from_ir_to_ipynb(iapp, sort_mode=sort_mode)
