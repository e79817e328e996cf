import { describe, expect, it } from "vitest";
import { findChart } from "../src/chart";

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
