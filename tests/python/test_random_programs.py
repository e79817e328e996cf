"""Property test: a random structured program, drawn as a flowchart, must print through hexa
exactly what the program prints as Python.

Programs work on the ints `a`, `b` and `c`: assignments, `+=`, prints of variables or text,
if/else on comparisons, and counted `while` loops (`i = 0; while i < K: ...; i += 1`) nested
up to depth 3. A loop counter is assigned only by its own loop, so every program terminates.
Each program is rendered twice: as Python source (the oracle) and as a Mermaid chart with one
node per statement, a diamond with `yes`/`no` edges per condition and a back edge per loop.
"""

import contextlib
import io
import subprocess
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

VARIABLES = ["a", "b", "c"]
COUNTERS = ["i", "j", "k"]
WORDS = ["hello", "tick", "ok"]
MAX_DEPTH = 3


@dataclass
class Simple:
    """A statement that is one node: `code` is the Python line, `label` the node's text."""

    code: str
    label: str
    shape: str = "box"


@dataclass
class If:
    condition: str
    then: list
    orelse: list = field(default_factory=list)


@dataclass
class Loop:
    counter: str
    bound: int
    body: list
    step: str


# Generation. `defined` is the set of names certainly assigned at that point, so a print
# never reads a name that is unset on some path.


@st.composite
def expressions(draw, defined):
    names = sorted(defined & set(VARIABLES))
    left = draw(st.sampled_from(names))
    kind = draw(st.sampled_from(["const", "add", "sub", "mul", "var", "mod"]))
    k = draw(st.integers(1, 4))
    if kind == "const":
        return str(draw(st.integers(-3, 9)))
    if kind == "var":
        return f"{left} + {draw(st.sampled_from(sorted(defined)))}"
    if kind == "mod":
        return f"{left} % {k + 1}"
    operator = {"add": "+", "sub": "-", "mul": "*"}[kind]
    return f"{left} {operator} {k if kind != 'mul' else 2}"


@st.composite
def simple_statements(draw, defined):
    kind = draw(st.sampled_from(["assign", "assign", "augment", "print", "print", "text"]))
    target = draw(st.sampled_from(VARIABLES))
    if kind == "assign":
        value = draw(expressions(defined))
        code = f"{target} = {value}"
        english = value.lstrip("-").isdigit() and draw(st.booleans())
        return Simple(code, f"Set {target} to {value}" if english else code)
    if kind == "augment":
        k = draw(st.integers(1, 3))
        code = f"{target} += {k}"
        english = draw(st.booleans())
        return Simple(code, f"Increment {target} by {k}" if english else code)
    if kind == "text":
        word = draw(st.sampled_from(WORDS))
        return Simple(f"print({word!r})", f"Print {word}", "io")
    names = draw(st.lists(st.sampled_from(sorted(defined)), min_size=1, max_size=2))
    code = f"print({', '.join(names)})"
    if len(names) == 1 and draw(st.booleans()):
        return Simple(code, f"Print {names[0]}", "io")
    return Simple(code, code)


@st.composite
def conditions(draw, defined):
    names = sorted(defined)
    left = draw(st.sampled_from(names))
    kind = draw(st.sampled_from(["compare", "const", "parity"]))
    if kind == "parity":
        return f"{left} % 2 == 0"
    operator = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
    if kind == "const":
        return f"{left} {operator} {draw(st.integers(-2, 6))}"
    return f"{left} {operator} {draw(st.sampled_from(names))}"


@st.composite
def blocks(draw, defined, depth, min_size=1):
    """Draw a list of statements; return it with the names certainly defined after it."""
    defined = set(defined)
    statements = []
    for _ in range(draw(st.integers(min_size, 3))):
        kinds = ["simple", "simple"] + (["if", "loop"] if depth < MAX_DEPTH else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "simple":
            statements.append(draw(simple_statements(defined)))
        elif kind == "if":
            condition = draw(conditions(defined))
            then, then_defined = draw(blocks(defined, depth + 1))
            orelse, else_defined = draw(blocks(defined, depth + 1, min_size=0))
            statements.append(If(condition, then, orelse))
            defined = then_defined & else_defined if orelse else defined
        else:
            counter = COUNTERS[depth]
            inner = defined | {counter}
            body, _ = draw(blocks(inner, depth + 1, min_size=0))
            step = draw(st.sampled_from([f"{counter} = {counter} + 1", f"{counter} += 1"]))
            bound = draw(st.sampled_from([0, 1, 2, 2, 3, 3]))
            statements.append(Loop(counter, bound, body, step))
            defined = inner
    return statements, defined


@st.composite
def programs(draw):
    start = [Simple(f"{name} = {draw(st.integers(-3, 5))}", "") for name in VARIABLES]
    for statement in start:
        statement.label = statement.code
    body, _ = draw(blocks(set(VARIABLES), 0))
    return start + body


# Rendering.


def to_python(statements, indent=0):
    pad = "    " * indent
    lines = []
    for statement in statements:
        if isinstance(statement, Simple):
            lines.append(pad + statement.code)
        elif isinstance(statement, If):
            lines.append(f"{pad}if {statement.condition}:")
            lines += to_python(statement.then, indent + 1)
            if statement.orelse:
                lines.append(f"{pad}else:")
                lines += to_python(statement.orelse, indent + 1)
        else:
            lines.append(f"{pad}{statement.counter} = 0")
            lines.append(f"{pad}while {statement.counter} < {statement.bound}:")
            lines += to_python(statement.body, indent + 1)
            lines.append(f"{pad}    {statement.step}")
    return lines


class Chart:
    """Mermaid lines built back to front: each statement is drawn knowing its successor."""

    def __init__(self):
        self.lines = ["flowchart TD"]
        self.count = 0

    def node(self, label, shape="box"):
        self.count += 1
        node_id = f"N{self.count}"
        if shape == "io":
            self.lines.append(f"    {node_id}[/{label}/]")
        elif shape == "diamond":
            self.lines.append(f'    {node_id}{{"{label}"}}')
        else:
            self.lines.append(f'    {node_id}["{label}"]')
        return node_id

    def edge(self, source, target, label=None):
        arrow = f"-->|{label}|" if label else "-->"
        self.lines.append(f"    {source} {arrow} {target}")

    def block(self, statements, successor):
        """Draw `statements` so that they flow into `successor`; return the entry node."""
        entry = successor
        for statement in reversed(statements):
            entry = self.statement(statement, entry)
        return entry

    def statement(self, statement, successor):
        if isinstance(statement, Simple):
            node_id = self.node(statement.label, statement.shape)
            self.edge(node_id, successor)
            return node_id
        if isinstance(statement, If):
            then = self.block(statement.then, successor)
            orelse = self.block(statement.orelse, successor)
            test = self.node(statement.condition, "diamond")
            self.edge(test, then, "yes")
            self.edge(test, orelse, "no")
            return test
        test = self.node(f"{statement.counter} < {statement.bound}", "diamond")
        step = self.node(statement.step)
        self.edge(step, test)
        body = self.block(statement.body, step)
        self.edge(test, body, "yes")
        self.edge(test, successor, "no")
        init = self.node(f"{statement.counter} = 0")
        self.edge(init, test)
        return init


def to_mermaid(program):
    chart = Chart()
    end = chart.node("End", "terminal")
    chart.lines[-1] = f"    {end}([End])"
    entry = chart.block(program, end)
    chart.lines.append(f"    S([Start]) --> {entry}")
    return "\n".join(chart.lines) + "\n"


def oracle_output(source):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, "<oracle>", "exec"), {})
    return printed.getvalue()


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(programs())
def test_chart_prints_like_program(hexa, python_bin, program):
    source = "\n".join(to_python(program)) + "\n"
    chart = to_mermaid(program)
    note(f"--- program:\n{source}--- chart:\n{chart}")
    expected = oracle_output(source)

    generated = hexa("generate", "-", "--script", "-o", "-", stdin=chart, timeout=30)
    assert generated.returncode == 0, generated.stderr
    note(f"--- generated:\n{generated.stdout}")

    ran = subprocess.run(
        [python_bin, "-c", generated.stdout], capture_output=True, text=True, timeout=10
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == expected, f"hexa printed:\n{ran.stdout}\noracle printed:\n{expected}"
