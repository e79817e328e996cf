"""Check that hexa structures each control-flow construct into Python that prints what the
chart means.

Each chart in `tests/fixtures/structuring` runs as a script with the inputs baked in by
`generate --script --set` and as the same script without presets reading the inputs from
stdin, on every input of its case. It also runs as a notebook through `hexa run --set` on the
first and the last input, because one notebook run costs about a second. Every run must print
exactly the lines of a hand-written Python oracle for that chart.
"""

import subprocess
from pathlib import Path

import pytest

CHARTS = Path(__file__).resolve().parents[2] / "tests/fixtures/structuring"


# Oracles: the chart written by hand in Python, returning the lines it prints.


def sequence(x):
    y = x * 2
    return [y + 3]


def if_else(x):
    return ["big" if x > 10 else "small", x]


def elif_chain(x):
    if x < 0:
        word = "negative"
    elif x == 0:
        word = "zero"
    elif x < 10:
        word = "small"
    else:
        word = "large"
    return [word, "done"]


def match(op):
    words = {1: ["one"], 2: ["two"], 3: ["three"]}
    return words.get(op, []) + ["end"]


def while_top(n):
    total = 0
    while n > 0:
        total += n
        n -= 2
    return [total]


def do_while(x):
    x += 1
    while x < 5:
        x += 1
    return [x]


def sentinel(x):
    total = 0
    for value in x:
        if value < 0:
            break
        total += value
    return [total]


def two_exits(n):
    i = 0
    while i < n:
        if i * i > 20:
            return ["found", i]
        i += 1
    return ["exhausted", i]


def nested_loops(n):
    lines = []
    for i in range(n):
        lines += list(range(i))
        lines.append("row")
    return lines


def for_range(n):
    return list(range(n))


def bound_after(n):
    i = 0
    lines = []
    while i < n:
        lines.append(i)
        i += 1
    return lines + [i]


def continue_(n):
    lines = []
    i = 0
    while i < n:
        i += 1
        if i % 3 != 0:
            lines.append(i)
    return lines


def early_return(n):
    if n < 2:
        return ["too small"]
    d = 2
    while d * d <= n:
        if n % d == 0:
            return [d]
        d += 1
    return ["prime"]


def irreducible(x):
    lines = []
    if x > 0:
        x -= 1
    while True:
        x += 2
        lines.append(x)
        if not x < 5:
            return lines
        x -= 1


def fan_out(x):
    return [x + 1, x]


def english(a, b):
    x = 5 + 1
    total = a if a % 2 == 0 else x
    if a > b:
        total += 100
    elif a != b:
        total += 10
    else:
        total += 1
    return [total]


def stub():
    return ["stub: Validate order", "ok"]


# chart name -> (oracle, inputs for each run, in the order the chart reads them)
CASES = {
    "sequence": (sequence, [{"x": 0}, {"x": 7}, {"x": -4}]),
    "if_else": (if_else, [{"x": 3}, {"x": 10}, {"x": 11}]),
    "elif_chain": (elif_chain, [{"x": -5}, {"x": 0}, {"x": 9}, {"x": 10}]),
    "match": (match, [{"op": 1}, {"op": 2}, {"op": 3}, {"op": 4}]),
    "while_top": (while_top, [{"n": 0}, {"n": 5}, {"n": 6}]),
    "do_while": (do_while, [{"x": 0}, {"x": 4}, {"x": 9}]),
    "sentinel": (sentinel, [{"x": [3, 4, -1]}, {"x": [-1]}, {"x": [10, 0, 5, -7]}]),
    "two_exits": (two_exits, [{"n": 3}, {"n": 5}, {"n": 6}, {"n": 10}]),
    "nested_loops": (nested_loops, [{"n": 0}, {"n": 1}, {"n": 4}]),
    "for_range": (for_range, [{"n": 0}, {"n": 3}, {"n": -2}]),
    "bound_after": (bound_after, [{"n": 0}, {"n": 3}, {"n": -2}]),
    "continue": (continue_, [{"n": 0}, {"n": 2}, {"n": 7}]),
    "early_return": (early_return, [{"n": 1}, {"n": 13}, {"n": 15}, {"n": 49}]),
    "irreducible": (irreducible, [{"x": 3}, {"x": -4}, {"x": 8}]),
    "fan_out": (fan_out, [{"x": 1}, {"x": -3}]),
    "english": (english, [{"a": 4, "b": 4}, {"a": 3, "b": 1}, {"a": 2, "b": 9}]),
    "stub": (stub, [{}]),
}


def set_flags(inputs):
    return [f"--set={name}={value!r}" for name, value in inputs.items()]


def stdin_text(inputs):
    """One line per read: a list stands for a repeated read, one value per line."""
    lines = []
    for value in inputs.values():
        lines += map(repr, value) if isinstance(value, list) else [repr(value)]
    return "".join(line + "\n" for line in lines)


def generate(hexa, name, inputs=None):
    chart = CHARTS / f"{name}.mmd"
    result = hexa("generate", chart, "--script", "-o", "-", *set_flags(inputs or {}))
    assert result.returncode == 0, result.stderr
    return result.stdout


def run_script(python_bin, tmp_path, source, stdin=""):
    path = tmp_path / "flow.py"
    path.write_text(source)
    result = subprocess.run(
        [python_bin, str(path)], input=stdin, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, f"{result.stderr}\n--- script:\n{source}"
    return result.stdout.splitlines()


def run_notebooks(hexa_bin, python_bin, name, runs):
    """Run the chart as a notebook once per input set, the runs side by side."""
    procs = [
        subprocess.Popen(
            [str(hexa_bin), "--python", python_bin, "run", str(CHARTS / f"{name}.mmd")]
            + set_flags(inputs),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for inputs in runs
    ]
    outputs = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        outputs.append(stdout.splitlines())
    return outputs


def expected_lines(oracle, inputs):
    return [str(line) for line in oracle(**inputs)]


@pytest.mark.parametrize("name", CASES)
def test_script_presets(hexa, python_bin, tmp_path, name):
    oracle, runs = CASES[name]
    for inputs in runs:
        source = generate(hexa, name, inputs)
        assert run_script(python_bin, tmp_path, source) == expected_lines(oracle, inputs), inputs


@pytest.mark.parametrize("name", CASES)
def test_script_stdin(hexa, python_bin, tmp_path, name):
    oracle, runs = CASES[name]
    source = generate(hexa, name)
    for inputs in runs:
        printed = run_script(python_bin, tmp_path, source, stdin_text(inputs))
        assert printed == expected_lines(oracle, inputs), inputs


@pytest.mark.parametrize("name", CASES)
def test_notebook_run(hexa_bin, python_bin, name):
    oracle, runs = CASES[name]
    runs = [runs[0], runs[-1]] if len(runs) > 1 else runs
    outputs = run_notebooks(hexa_bin, python_bin, name, runs)
    for inputs, printed in zip(runs, outputs):
        assert printed == expected_lines(oracle, inputs), inputs


# The shape of the generated code, where the construct has one right form.


def test_counted_loop_is_for(hexa):
    assert "for i in range(" in generate(hexa, "for_range")


def test_bound_read_after_stays_while(hexa):
    source = generate(hexa, "bound_after")
    assert "for i in range(" not in source
    assert "while i < n:" in source


def test_nested_counted_loops_are_for(hexa):
    source = generate(hexa, "nested_loops")
    assert "for i in range(" in source
    assert "for j in range(" in source


def test_value_dispatch_is_match(hexa):
    source = generate(hexa, "match")
    assert "match op:" in source
    assert "case 3:" in source


def test_if_chain_is_elif(hexa):
    source = generate(hexa, "elif_chain")
    assert source.count("elif ") == 2
    assert "state machine" not in source


def test_sentinel_is_while_true_break(hexa):
    source = generate(hexa, "sentinel")
    assert "while True:" in source
    assert "break" in source
    assert 'read_input("x", repeated=True)' in source


def test_back_edge_is_continue(hexa):
    assert "continue" in generate(hexa, "continue")


def test_exit_inside_loop_returns(hexa):
    assert "return" in generate(hexa, "early_return")


def test_irreducible_is_state_machine(hexa):
    assert "state machine" in generate(hexa, "irreducible")


@pytest.mark.parametrize("name", [name for name in CASES if name != "irreducible"])
def test_reducible_has_no_state_machine(hexa, name):
    assert "state machine" not in generate(hexa, name)


def test_english_labels_translate(hexa):
    source = generate(hexa, "english")
    for line in ["x = 5", "x += 1", "a % 2 == 0", "a > b", "a != b", "print(total)"]:
        assert line in source, line
    assert 'a = read_input("a")' in source
    assert 'b = read_input("b")' in source


def test_stub_is_function(hexa):
    source = generate(hexa, "stub")
    assert "def validate_order():" in source
    assert '"""Validate order"""' in source
