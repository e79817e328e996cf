import { describe, expect, it } from "vitest";
import { findChart, isHexaNotebook, notebookPathOf } from "../src/chart";

describe("findChart", () => {
  it("takes a whole mermaid file", () => {
    expect(findChart("flowchart TD\n  A --> B\n", "mermaid")).toEqual({
      text: "flowchart TD\n  A --> B\n",
      startLine: 0,
    });
  });

  it("takes the first flowchart fence of markdown", () => {
    const text = [
      "# Title",
      "```mermaid",
      "sequenceDiagram",
      "  A->>B: hi",
      "```",
      "",
      "```mermaid",
      "flowchart LR",
      "  A --> B",
      "```",
    ].join("\n");
    expect(findChart(text, "markdown")).toEqual({ text: "flowchart LR\n  A --> B", startLine: 7 });
  });

  it("ignores an unclosed markdown fence", () => {
    expect(findChart("```mermaid\nflowchart TD\n  A --> B\n", "markdown")).toBeUndefined();
  });

  it("accepts tilde fences", () => {
    expect(findChart("~~~mermaid\ngraph TD\nA-->B\n~~~\n", "markdown")?.startLine).toBe(1);
  });

  it("reads the mo.mermaid cell of a notebook", () => {
    const text = [
      "@app.cell(hide_code=True)",
      "def _(mo):",
      "    mo.mermaid(",
      '        """flowchart TD',
      "        A --> B",
      '    """',
      "    )",
    ].join("\n");
    const chart = findChart(text, "python");
    expect(chart?.startLine).toBe(3);
    expect(chart?.text).toBe("flowchart TD\n        A --> B\n    ");
  });

  it("returns nothing for plain python", () => {
    expect(findChart("print('hi')\n", "python")).toBeUndefined();
  });

  it("returns nothing for other languages", () => {
    expect(findChart("flowchart TD", "rust")).toBeUndefined();
  });
});

describe("notebookPathOf", () => {
  it("replaces the chart's extension with .py", () => {
    expect(notebookPathOf("/work/flow.mmd")).toBe("/work/flow.py");
    expect(notebookPathOf("/work/notes.md")).toBe("/work/notes.py");
  });

  it("keeps the dots before the extension", () => {
    expect(notebookPathOf("/work/v1.2/flow.chart.mmd")).toBe("/work/v1.2/flow.chart.py");
  });
});

describe("isHexaNotebook", () => {
  const notebook = [
    "import marimo",
    "",
    "app = marimo.App()",
    "",
    "@app.cell(hide_code=True)",
    "def _(mo):",
    '    mo.mermaid("""flowchart TD',
    "    A --> B",
    '""")',
  ].join("\n");

  it("accepts a notebook that draws its chart", () => {
    expect(isHexaNotebook(notebook)).toBe(true);
  });

  it("rejects a marimo notebook without a chart", () => {
    expect(isHexaNotebook("import marimo\n\napp = marimo.App()\n")).toBe(false);
  });

  it("rejects a script that only mentions marimo", () => {
    expect(isHexaNotebook('print("import marimo")\nmo.mermaid("""x""")\n')).toBe(false);
  });
});
