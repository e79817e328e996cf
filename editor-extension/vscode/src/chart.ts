// Finds the Mermaid flowchart inside a document: a whole `.mmd` file, the first ```mermaid
// fence of a Markdown file, or the `mo.mermaid("""...""")` cell of a hexa notebook.

import * as path from "node:path";

/** The chart's text and the zero-based document line where it starts. */
export interface ChartRegion {
  text: string;
  startLine: number;
}

/** Returns the chart of a document, or `undefined` when it contains none. */
export function findChart(text: string, languageId: string): ChartRegion | undefined {
  switch (languageId) {
    case "mermaid":
      return { text, startLine: 0 };
    case "markdown":
      return markdownChart(text);
    case "python":
      return notebookChart(text);
    default:
      return undefined;
  }
}

function markdownChart(text: string): ChartRegion | undefined {
  const lines = text.split("\n");
  let open: { fence: string; line: number } | undefined;
  for (const [index, line] of lines.entries()) {
    if (open === undefined) {
      const start = /^\s{0,3}(`{3,}|~{3,})\s*mermaid\s*$/.exec(line);
      if (start?.[1] !== undefined) {
        open = { fence: start[1], line: index };
      }
      continue;
    }
    const close = /^\s{0,3}(`{3,}|~{3,})\s*$/.exec(line);
    if (close?.[1] !== undefined && close[1].startsWith(open.fence)) {
      const body = lines.slice(open.line + 1, index).join("\n");
      if (/^\s*(flowchart|graph)\b/m.test(body)) {
        return { text: body, startLine: open.line + 1 };
      }
      open = undefined;
    }
  }
  return undefined;
}

function notebookChart(text: string): ChartRegion | undefined {
  const match = /mo\.mermaid\(\s*(?:r?)("""|''')/.exec(text);
  if (match?.[1] === undefined) {
    return undefined;
  }
  const bodyStart = match.index + match[0].length;
  const bodyEnd = text.indexOf(match[1], bodyStart);
  if (bodyEnd < 0) {
    return undefined;
  }
  const startLine = text.slice(0, bodyStart).split("\n").length - 1;
  return { text: text.slice(bodyStart, bodyEnd), startLine };
}

/** Returns the path of the notebook hexa generates beside the chart at `chartPath`, `NAME.py`. */
export function notebookPathOf(chartPath: string): string {
  const { dir, name } = path.parse(chartPath);
  return path.join(dir, `${name}.py`);
}

/** Returns whether `text` is a hexa notebook, which imports marimo and draws its chart. */
export function isHexaNotebook(text: string): boolean {
  return /^import marimo\b/m.test(text) && notebookChart(text) !== undefined;
}
