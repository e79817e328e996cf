"""End-to-end tests of `hexa lsp` through pytest-lsp's client (pygls), speaking real LSP
over the server's stdio.

Each test starts its own `target/debug/hexa lsp`, so client capabilities can differ per test.
Charts are ASCII, so UTF-16 columns equal byte columns in the edit helpers below.
"""

import asyncio
import contextlib
import json
import os
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.exceptions import JsonRpcException
from pygls.protocol import default_converter
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, LanguageClient, register_lsp_features

pytestmark = pytest.mark.asyncio

CONVERTER = get_converter()

# Seconds to wait for a publishDiagnostics. The server debounces by 150 ms.
DIAGNOSTICS_TIMEOUT = 10

BROKEN_LABEL = "flowchart TD\n  A[load(x)] --> B\n"

CHART = """flowchart TD
  A([Start]) --> B["x = 1"]
  subgraph work [Work]
    B --> C{x > 0}
    C -->|yes| D["print(x)"]
  end
  C -->|no| E([Stop])
  D --> E
"""


def wire(value):
    """Convert an lsprotocol object to the JSON it has on the wire."""
    return CONVERTER.unstructure(value)


def make_client():
    """A pytest-lsp client that also keeps every publishDiagnostics in arrival order and
    counts responses per request id."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    client.responses = Counter()

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
        client.published.append(params)
        client.diagnostics[params.uri] = params.diagnostics

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    register_lsp_features(client, features)

    handle_response = client.protocol._handle_response

    def count_response(msg_id, result=None, error=None):
        client.responses[msg_id] += 1
        handle_response(msg_id, result, error)

    client.protocol._handle_response = count_response
    return client


def capabilities(*, utf8=False, resolve=False, create_files=True, related=False):
    """Build client capabilities, by default without codeAction resolve, with file creation
    and without diagnostics' relatedInformation."""
    general = None
    if utf8:
        encodings = [types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16]
        general = types.GeneralClientCapabilities(position_encodings=encodings)
    code_action = types.CodeActionClientCapabilities()
    if resolve:
        code_action.resolve_support = types.ClientCodeActionResolveOptions(properties=["edit"])
    operations = [types.ResourceOperationKind.Create] if create_files else []
    return types.ClientCapabilities(
        general=general,
        text_document=types.TextDocumentClientCapabilities(
            code_action=code_action,
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=related
            ),
            document_symbol=types.DocumentSymbolClientCapabilities(
                hierarchical_document_symbol_support=True
            ),
        ),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(
                document_changes=True, resource_operations=operations
            )
        ),
    )


@pytest_asyncio.fixture
async def start(hexa_bin):
    """Start `hexa lsp` and initialize it. Every started server is shut down at teardown."""
    stack = contextlib.AsyncExitStack()

    async def start_server(python=None, **options):
        client = make_client()
        flags = ["--python", str(python)] if python else []
        await client.start_io(str(hexa_bin), *flags, "lsp")
        stack.push_async_callback(client.stop)
        stack.push_async_callback(client.shutdown_session)
        params = types.InitializeParams(capabilities=capabilities(**options))
        result = await client.initialize_session(params)
        return client, result

    yield start_server
    await stack.aclose()


@pytest_asyncio.fixture
async def lsp(start):
    """A started server with the default capabilities, as `(client, initialize result)`."""
    return await start()


def open_doc(client, uri, text, language="mermaid", version=1):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=version, text=text
            )
        )
    )


def insert_line(client, uri, version, line, text):
    at = types.Position(line=line, character=0)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=at, end=at), text=text
                )
            ],
        )
    )


async def diagnostics_for(client, uri, version):
    """Wait for the publishDiagnostics of `uri` at `version` and return it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DIAGNOSTICS_TIMEOUT
    while loop.time() < deadline:
        for params in client.published:
            if params.uri == uri and params.version == version:
                return params
        await asyncio.sleep(0.02)
    seen = [(p.uri, p.version) for p in client.published]
    pytest.fail(f"no diagnostics for {uri} v{version} within {DIAGNOSTICS_TIMEOUT} s: {seen}")


def apply_edits(text, edits):
    """Apply LSP TextEdits (wire form, ASCII text) to `text`, last edit first."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position):
        line = min(position["line"], len(lines))
        return min(starts[line] + position["character"], len(text))

    ordered = sorted(edits, key=lambda edit: offset(edit["range"]["start"]), reverse=True)
    for edit in ordered:
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def position(text, needle, line_hint=None):
    """The LSP position of the first `needle` in `text` (on `line_hint` if given)."""
    for number, line in enumerate(text.splitlines()):
        if line_hint is not None and number != line_hint:
            continue
        column = line.find(needle)
        if column >= 0:
            return types.Position(line=number, character=column)
    raise AssertionError(f"{needle!r} not in text")


def doc_id(uri):
    return types.TextDocumentIdentifier(uri=uri)


def symbol_names(symbols):
    names = []
    for symbol in symbols or []:
        names.append(symbol["name"])
        names.extend(symbol_names(symbol.get("children")))
    return names


def titled(actions, prefix):
    for action in actions:
        if action.get("title", "").startswith(prefix):
            return action
    titles = [action.get("title") for action in actions]
    raise AssertionError(f"no action starting with {prefix!r} in {titles}")


async def code_actions(client, uri, line):
    at = types.Range(
        start=types.Position(line=line, character=0),
        end=types.Position(line=line, character=0),
    )
    params = types.CodeActionParams(
        text_document=doc_id(uri),
        range=at,
        context=types.CodeActionContext(diagnostics=[]),
    )
    return wire(await client.text_document_code_action_async(params)) or []


def chain(nodes):
    """A straight chain of `nodes` assignment steps."""
    lines = ["flowchart TD", "  N0([Start])"]
    for index in range(1, nodes):
        step = f'N{index}["x{index} = {index}"]'
        lines.append(f'  N{index - 1}["x{index - 1} = {index - 1}"] --> {step}')
    return "\n".join(lines) + "\n"


async def test_initialize_negotiates_utf8(start):
    _, result = await start(utf8=True)
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    assert result.server_info.name == "hexa"


async def test_initialize_defaults_to_utf16(lsp):
    _, result = lsp
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf16


async def test_utf8_columns_in_diagnostics(start):
    client, _ = await start(utf8=True)
    uri = "file:///t/wide.mmd"
    open_doc(client, uri, 'flowchart TD\n  A["é"] --> B[load(x)]\n')
    published = await diagnostics_for(client, uri, 1)
    columns = [d.range.start.character for d in published.diagnostics if d.range.start.line == 1]
    # `(` is byte 20 on that line in UTF-8 (character 19 in UTF-16).
    assert 20 in columns, wire(published)


async def test_broken_chart_diagnostics_have_codes(lsp):
    client, _ = lsp
    uri = "file:///t/broken.mmd"
    open_doc(client, uri, BROKEN_LABEL)
    published = await diagnostics_for(client, uri, 1)
    assert published.diagnostics, "no diagnostics for an unquoted `(` in a label"
    first = published.diagnostics[0]
    assert first.code, wire(first)
    assert first.source == "hexa"
    assert first.range.start.line == 1
    assert first.range.start.character == 8


async def test_markdown_fence_diagnostics(lsp):
    client, _ = lsp
    uri = "file:///t/notes.md"
    open_doc(client, uri, "# Notes\n\n```mermaid\n" + BROKEN_LABEL + "```\n", "markdown")
    published = await diagnostics_for(client, uri, 1)
    lines = [diagnostic.range.start.line for diagnostic in published.diagnostics]
    assert 4 in lines, wire(published)


async def test_changes_apply_in_order(lsp):
    client, _ = lsp
    uri = "file:///t/order.mmd"
    open_doc(client, uri, "flowchart TD\n  A --> B\n")
    insert_line(client, uri, 2, 2, "  B --> C\n")
    insert_line(client, uri, 3, 3, "  C --> D\n")
    params = types.DocumentSymbolParams(text_document=doc_id(uri))
    symbols = wire(await client.text_document_document_symbol_async(params))
    assert symbol_names(symbols) == ["A", "B", "C", "D"]

    await diagnostics_for(client, uri, 3)
    await asyncio.sleep(0.4)
    versions = [p.version for p in client.published if p.uri == uri]
    assert versions[-1] == 3, versions
    assert 2 not in versions[versions.index(3) :], versions


async def test_cancel_gets_exactly_one_response(lsp, tmp_path):
    client, _ = lsp
    path = tmp_path / "big.mmd"
    path.write_text(chain(3000))
    params = types.ExecuteCommandParams(
        command="hexa.generateNotebook", arguments=[path.as_uri()]
    )
    future = client.protocol.send_request(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id=7)
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=7))
    try:
        result = await asyncio.wrap_future(future)
        assert result is not None
    except JsonRpcException as error:
        assert error.code == -32800, error

    # The next request gets its normal response, and no second response for id 7 arrives.
    hover = types.HoverParams(
        text_document=doc_id("file:///t/not-open.mmd"),
        position=types.Position(line=0, character=0),
    )
    with pytest.raises(JsonRpcException):
        await client.text_document_hover_async(hover)
    await asyncio.sleep(0.3)
    assert client.responses[7] == 1

    assert not list(tmp_path.glob(".hexa-*")), "a temporary file was left behind"
    notebook = tmp_path / "big.py"
    if notebook.exists():
        assert "app.run()" in notebook.read_text(), "the notebook was half-written"


async def test_quick_fix_without_resolve_has_edit(lsp):
    client, _ = lsp
    uri = "file:///t/quote.mmd"
    open_doc(client, uri, BROKEN_LABEL)
    published = await diagnostics_for(client, uri, 1)
    params = types.CodeActionParams(
        text_document=doc_id(uri),
        range=published.diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=list(published.diagnostics)),
    )
    actions = wire(await client.text_document_code_action_async(params))
    fix = titled(actions, "Quote label")
    assert fix["kind"] == "quickfix"
    assert fix["edit"]["changes"][uri] == [
        {
            "range": {
                "start": {"line": 1, "character": 3},
                "end": {"line": 1, "character": 12},
            },
            "newText": '["load(x)"]',
        }
    ]
    fixed = apply_edits(BROKEN_LABEL, fix["edit"]["changes"][uri])
    assert fixed == 'flowchart TD\n  A["load(x)"] --> B\n'


async def test_generate_action_creates_notebook(lsp, tmp_path, hexa):
    client, _ = lsp
    source = tmp_path / "flow.mmd"
    source.write_text(CHART)
    open_doc(client, source.as_uri(), CHART)
    actions = await code_actions(client, source.as_uri(), 0)
    generate = titled(actions, "Generate marimo notebook")
    create, insert = generate["edit"]["documentChanges"]
    target = tmp_path / "flow.py"
    assert create["kind"] == "create"
    assert create["uri"] == target.as_uri()
    assert create["options"]["overwrite"] is False
    assert insert["textDocument"]["uri"] == target.as_uri()

    # Apply the edit as a client would, then check the notebook.
    target.write_text(insert["edits"][0]["newText"])
    checked = hexa("check", target)
    assert checked.returncode == 0, checked.stdout + checked.stderr


async def test_generate_action_resolved_lazily(start, tmp_path):
    client, _ = await start(resolve=True)
    source = tmp_path / "flow.mmd"
    source.write_text(CHART)
    open_doc(client, source.as_uri(), CHART)
    actions = await code_actions(client, source.as_uri(), 0)
    generate = titled(actions, "Generate marimo notebook")
    assert "edit" not in generate
    action = CONVERTER.structure(generate, types.CodeAction)
    resolved = wire(await client.code_action_resolve_async(action))
    assert resolved["edit"]["documentChanges"][0]["kind"] == "create"


async def test_generate_command_writes_checked_notebook(lsp, tmp_path, hexa):
    client, _ = lsp
    source = tmp_path / "flow.mmd"
    source.write_text(CHART)
    (tmp_path / "flow.py").write_text("# not hexa's\n")
    params = types.ExecuteCommandParams(
        command="hexa.generateNotebook", arguments=[source.as_uri()]
    )
    result = await client.workspace_execute_command_async(params)
    written = Path(result["path"])
    assert written == tmp_path / "flow-2.py"
    assert (tmp_path / "flow.py").read_text() == "# not hexa's\n"
    checked = hexa("check", written)
    assert checked.returncode == 0, checked.stdout + checked.stderr


async def test_hover_shows_reading_and_python(lsp):
    client, _ = lsp
    uri = "file:///t/hover.mmd"
    open_doc(client, uri, CHART)
    params = types.HoverParams(text_document=doc_id(uri), position=position(CHART, "B[", 1))
    hover = await client.text_document_hover_async(params)
    text = hover.contents.value
    assert "**B**" in text
    assert "label: `x = 1`" in text
    assert "hexa reads it as Python statements" in text
    assert "x = 1" in text.split("generated Python:")[1]


async def test_document_symbols_grouped_by_subgraph(lsp):
    client, _ = lsp
    uri = "file:///t/symbols.mmd"
    open_doc(client, uri, CHART)
    params = types.DocumentSymbolParams(text_document=doc_id(uri))
    symbols = wire(await client.text_document_document_symbol_async(params))
    top = [symbol["name"] for symbol in symbols]
    work = next(symbol for symbol in symbols if symbol["name"] in ("work", "Work"))
    assert sorted(child["name"] for child in work["children"]) == ["B", "C", "D"]
    assert "A" in top and "E" in top


async def test_rename_node_id_everywhere(lsp):
    client, _ = lsp
    uri = "file:///t/rename.mmd"
    open_doc(client, uri, CHART)
    params = types.RenameParams(
        text_document=doc_id(uri), position=position(CHART, "C", 3), new_name="check"
    )
    edit = wire(await client.text_document_rename_async(params))
    renamed = apply_edits(CHART, edit["changes"][uri])
    assert renamed.count("check") == 3
    assert " C" not in renamed

    taken = types.RenameParams(
        text_document=doc_id(uri), position=position(CHART, "C", 3), new_name="D"
    )
    with pytest.raises(JsonRpcException):
        await client.text_document_rename_async(taken)


async def test_formatting_is_idempotent(lsp):
    client, _ = lsp
    uri = "file:///t/format.mmd"
    messy = "flowchart TD\nA-->B\n      B   -->   C[\"y = 2\"]\n"
    open_doc(client, uri, messy)
    options = types.FormattingOptions(tab_size=2, insert_spaces=True)
    params = types.DocumentFormattingParams(text_document=doc_id(uri), options=options)
    edits = wire(await client.text_document_formatting_async(params))
    assert edits, "a messy chart was left unchanged"
    formatted = apply_edits(messy, edits)
    assert "A --> B" in formatted

    formatted_uri = "file:///t/formatted.mmd"
    open_doc(client, formatted_uri, formatted)
    params = types.DocumentFormattingParams(text_document=doc_id(formatted_uri), options=options)
    again = wire(await client.text_document_formatting_async(params)) or []
    assert apply_edits(formatted, again) == formatted


async def test_folding_range_per_subgraph(lsp):
    client, _ = lsp
    uri = "file:///t/fold.mmd"
    open_doc(client, uri, CHART)
    params = types.FoldingRangeParams(text_document=doc_id(uri))
    ranges = await client.text_document_folding_range_async(params)
    assert [(r.start_line, r.end_line) for r in ranges] == [(2, 5)]


async def test_completion_offers_ids_and_classes(lsp):
    client, _ = lsp
    uri = "file:///t/complete.mmd"
    text = CHART + "  classDef hot fill:#f00\n  E:::\n"
    open_doc(client, uri, text)
    end_of_text = types.Position(line=len(text.splitlines()) - 1, character=6)
    at_line_start = types.Position(line=len(text.splitlines()) - 1, character=2)

    params = types.CompletionParams(text_document=doc_id(uri), position=at_line_start)
    items = wire(await client.text_document_completion_async(params))
    items = items["items"] if "items" in items else items
    labels = {item["label"] for item in items}
    assert {"A", "B", "C", "D", "E"} <= labels
    # This client has no snippet support, so shapes come as plain text.
    shapes = [item for item in items if item.get("kind") == types.CompletionItemKind.Snippet]
    assert shapes, labels
    assert not any("${" in item.get("insertText", "") for item in shapes), shapes

    params = types.CompletionParams(text_document=doc_id(uri), position=end_of_text)
    items = wire(await client.text_document_completion_async(params))
    labels = {item["label"] for item in (items["items"] if "items" in items else items)}
    assert "hot" in labels


async def test_semantic_tokens_follow_legend(lsp):
    client, result = lsp
    legend = result.capabilities.semantic_tokens_provider.legend.token_types
    uri = "file:///t/tokens.mmd"
    open_doc(client, uri, CHART)
    params = types.SemanticTokensParams(text_document=doc_id(uri))
    tokens = await client.text_document_semantic_tokens_full_async(params)
    data = tokens.data
    assert len(data) % 5 == 0

    lines = CHART.splitlines()
    line = column = 0
    decoded = []
    for index in range(0, len(data), 5):
        delta_line, delta_start, length, kind, _ = data[index : index + 5]
        column = column + delta_start if delta_line == 0 else delta_start
        line += delta_line
        decoded.append((lines[line][column : column + length], legend[kind]))
    for expected in [
        ("flowchart", "keyword"),
        ("A", "variable"),
        ("([", "type"),
        ('"x = 1"', "string"),
        ("-->", "operator"),
        ("yes", "label"),
        ("subgraph", "keyword"),
        ("work", "namespace"),
        ("end", "keyword"),
    ]:
        assert expected in decoded, decoded

    window = types.Range(
        start=types.Position(line=6, character=0), end=types.Position(line=7, character=0)
    )
    params = types.SemanticTokensRangeParams(text_document=doc_id(uri), range=window)
    ranged = await client.text_document_semantic_tokens_range_async(params)
    assert 0 < len(ranged.data) < len(data)


def process_gone(pid, timeout=20):
    """Wait until no process has this id; return whether it went away in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


async def test_open_in_marimo_starts_serve(start, tmp_path):
    client, _ = await start(python=sys.prefix)
    source = tmp_path / "flow.mmd"
    source.write_text(CHART)
    generate = types.ExecuteCommandParams(
        command="hexa.generateNotebook", arguments=[source.as_uri()]
    )
    notebook = Path((await client.workspace_execute_command_async(generate))["path"])
    index_path = tmp_path / ".hexa-index.json"
    assert not index_path.exists() or json.loads(index_path.read_text())["server"] is None

    open_params = types.ExecuteCommandParams(
        command="hexa.openInMarimo", arguments=[notebook.as_uri()]
    )
    result = await client.workspace_execute_command_async(open_params)
    record = json.loads(index_path.read_text())["server"]
    try:
        url = result["url"]
        assert url.startswith(f"http://127.0.0.1:{record['port']}/?file=flow.py&access_token=")
        assert [shown.uri for shown in client.shown_documents] == [url]
        response = await asyncio.to_thread(urllib.request.urlopen, url, timeout=10)
        assert response.status == 200
        # A second request reuses the running server.
        again = await client.workspace_execute_command_async(open_params)
        assert again["url"] == url
        assert json.loads(index_path.read_text())["server"]["pid"] == record["pid"]
    finally:
        os.kill(record["pid"], 15)
        assert process_gone(record["pid"])
        assert process_gone(record["marimo_pid"])


FIZZBUZZ = Path(__file__).resolve().parents[2] / "examples/fizzbuzz.mmd"


def printed_lines(cells):
    """Join the stdout of the cells in order and split it into lines."""
    return "".join(cell["stdout"] for cell in cells).splitlines()


async def test_run_notebook_returns_cells_and_output(start, tmp_path):
    client, _ = await start(python=sys.prefix)
    source = tmp_path / "fizzbuzz.mmd"
    source.write_text(FIZZBUZZ.read_text())
    generate = types.ExecuteCommandParams(
        command="hexa.generateNotebook", arguments=[source.as_uri()]
    )
    notebook = Path((await client.workspace_execute_command_async(generate))["path"])
    cell_count = notebook.read_text().count("@app.cell")

    async def run(inputs):
        params = types.ExecuteCommandParams(
            command="hexa.runNotebook", arguments=[notebook.as_uri(), inputs]
        )
        return (await client.workspace_execute_command_async(params))["cells"]

    cells = await run({"n": "15"})
    assert [cell["index"] for cell in cells] == list(range(cell_count))
    assert all(cell["status"] == "ok" and cell["error"] is None for cell in cells), cells
    assert printed_lines(cells) == [
        "1", "2", "Fizz", "4", "Buzz", "Fizz", "7", "8", "Fizz", "Buzz", "11", "Fizz", "13",
        "14", "FizzBuzz",
    ]
    # The chart's cell renders the diagram, and the last cell reports the printed lines.
    assert cells[1]["output"]["data"].startswith("<marimo-mermaid")
    assert "FizzBuzz" in cells[-1]["output"]["data"]

    # A number given as JSON, not text, is an input too.
    cells = await run({"n": 5})
    assert printed_lines(cells) == ["1", "2", "Fizz", "4", "Buzz"]


RELATED_CHART = """flowchart TD
  S1([Start]) --> Alpha[x = 1]
  Alpha --> Beta[x = 1]
  Betta --> E([End])
  S2([Begin]) --> Beta
"""


def related_of(diagnostics):
    """Map each diagnostic code to its related places as (line, start column, message)."""
    return {
        d.code: [
            (r.location.range.start.line, r.location.range.start.character, r.message)
            for r in d.related_information or []
        ]
        for d in diagnostics
    }


async def test_diagnostics_have_related_information(start):
    client, _ = await start(related=True)
    uri = "file:///tmp/related.mmd"
    open_doc(client, uri, RELATED_CHART)
    diagnostics = (await diagnostics_for(client, uri, 1)).diagnostics
    assert all(r.location.uri == uri for d in diagnostics for r in d.related_information)
    assert related_of(diagnostics) == {
        "W005": [(2, 12, "`Beta` is declared here")],
        "W006": [(1, 18, "`Alpha` has the same label")],
        "W008": [(1, 2, "`S1` is the first start")],
    }


async def test_no_related_information_without_client_support(lsp):
    client, _ = lsp
    uri = "file:///tmp/related.mmd"
    open_doc(client, uri, RELATED_CHART)
    diagnostics = (await diagnostics_for(client, uri, 1)).diagnostics
    assert {d.code for d in diagnostics} == {"W005", "W006", "W008"}
    assert all(d.related_information is None for d in diagnostics)


async def test_p002_related_information_in_notebook(start, tmp_path):
    client, _ = await start(related=True)
    source = tmp_path / "flow.mmd"
    source.write_text(CHART)
    generate = types.ExecuteCommandParams(
        command="hexa.generateNotebook", arguments=[source.as_uri()]
    )
    notebook = Path((await client.workspace_execute_command_async(generate))["path"])
    # A second cell that defines `printed`, which the generated notebook already defines.
    guard = 'if __name__ == "__main__":'
    extra_cell = "@app.cell\ndef _():\n    printed = 2\n    return (printed,)\n\n\n"
    text = notebook.read_text().replace(guard, extra_cell + guard, 1)
    lines = text.splitlines()
    first = lines.index("    printed, final = run_flow(flow)")
    second = lines.index("    printed = 2")
    open_doc(client, notebook.as_uri(), text, language="python")
    diagnostics = (await diagnostics_for(client, notebook.as_uri(), 1)).diagnostics
    related = sorted(
        (d.range.start.line, r.location.range.start.line, r.message)
        for d in diagnostics
        if d.code == "P002"
        for r in d.related_information
    )
    message = "`printed` is also defined here"
    assert related == [(first, second, message), (second, first, message)]
