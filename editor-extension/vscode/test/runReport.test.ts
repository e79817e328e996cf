import { describe, expect, it } from "vitest";
import type { CellResult } from "../src/protocol";
import { findNode, formatRunReport, nodeErrors, nodeOfTraceback } from "../src/runReport";

function cell(overrides: Partial<CellResult>): CellResult {
  return {
    cellId: "Hbol",
    name: "_",
    index: 1,
    defLine: 8,
    status: "ok",
    stdout: "",
    stderr: "",
    output: null,
    error: null,
    elapsedMs: 3,
    ...overrides,
  };
}

const TRACEBACK = [
  "Traceback (most recent call last):",
  '  File "/tmp/__marimo__cell_lEQa_.py", line 8, in <module>',
  "    printed, final = run_flow(flow, n.value)",
  '  File "/tmp/__marimo__cell_lEQa_.py", line 3, in flow',
  "    x = 10 / n  # node: C",
  "ZeroDivisionError: division by zero",
].join("\n");

describe("nodeOfTraceback", () => {
  it("takes the innermost node mark", () => {
    const nested = TRACEBACK.replace("n.value)", "n.value)  # node: B");
    expect(nodeOfTraceback(nested)).toBe("C");
  });

  it("returns undefined without marks", () => {
    expect(nodeOfTraceback("Traceback\nValueError: x")).toBeUndefined();
  });
});

describe("nodeErrors", () => {
  it("lists only failed cells", () => {
    const error = { ename: "ZeroDivisionError", evalue: "division by zero", traceback: TRACEBACK };
    const cells = [
      cell({}),
      cell({ status: "error", error: { ...error, lineInCell: 3 } }),
      cell({ status: "cancelled" }),
    ];
    expect(nodeErrors(cells)).toEqual([
      { nodeId: "C", message: "ZeroDivisionError: division by zero" },
    ]);
  });
});

describe("findNode", () => {
  const chart = [
    "flowchart TD",
    "    %% C is here in a comment",
    "    A([Start]) --> B[/Read n/]",
    "    B --> C[x = 10 / n]",
    "    C --> D",
    "    classDef C fill:#f00",
  ].join("\n");

  it("finds a node at the line start", () => {
    expect(findNode(chart, "A")).toEqual({ line: 2, character: 4, length: 1 });
  });

  it("finds a node after an arrow", () => {
    expect(findNode(chart, "C")).toEqual({ line: 3, character: 10, length: 1 });
  });

  it("skips comments and classDef lines", () => {
    expect(findNode("flowchart TD\n  %% X\n  classDef X fill:#fff\n  X --> Y", "X")?.line).toBe(3);
  });

  it("does not match inside a longer id", () => {
    expect(findNode("flowchart TD\n  AB --> A", "A")).toEqual({ line: 1, character: 9, length: 1 });
  });

  it("matches after an edge label", () => {
    expect(findNode("flowchart TD\n  D -->|Yes| E{x?}", "E")?.character).toBe(13);
  });

  it("returns undefined for a missing node", () => {
    expect(findNode(chart, "Z")).toBeUndefined();
  });

  it("escapes regex characters in ids", () => {
    expect(findNode("flowchart TD\n  a-b --> c", "a-b")?.character).toBe(2);
  });
});

describe("formatRunReport", () => {
  it("prints each cell and a summary", () => {
    const report = formatRunReport([
      cell({ index: 0, name: "setup", stdout: "hello\n" }),
      cell({
        status: "error",
        error: { ename: "E", evalue: "bad", traceback: "", lineInCell: null },
      }),
    ]);
    expect(report).toBe(
      [
        "cell 0 (setup): ok, 3 ms, line 8",
        "    hello",
        "cell 1: error, 3 ms, line 8",
        "    E: bad",
        "2 cells: 1 failed, 0 did not run",
      ].join("\n"),
    );
  });

  it("shows stderr and the cell output text", () => {
    const report = formatRunReport([
      cell({ stderr: "warn", output: { mime: "text/plain", data: "42", text: "42" } }),
    ]);
    expect(report).toContain("    stderr: warn");
    expect(report).toContain("    output: 42");
  });
});
