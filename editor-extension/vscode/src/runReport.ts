// Turns a `hexa.runNotebook` result into the text of the run output channel and into the
// flowchart nodes where errors happened. No VS Code API here, so it is unit-tested.

import type { CellResult } from "./protocol";

/** A zero-based range on one line of a document. */
export interface LineSpan {
  line: number;
  character: number;
  length: number;
}

/** A failed cell, pinned to the flowchart node its failing line came from when one is known. */
export interface NodeError {
  nodeId: string | undefined;
  message: string;
}

/** Formats every cell's status, output and error as plain text, one block per cell. */
export function formatRunReport(cells: readonly CellResult[]): string {
  const blocks = cells.map((cell) => {
    const name = cell.name === "_" ? `cell ${cell.index}` : `cell ${cell.index} (${cell.name})`;
    const lines = [`${name}: ${cell.status}, ${cell.elapsedMs} ms, line ${cell.defLine}`];
    if (cell.stdout !== "") {
      lines.push(indent(cell.stdout));
    }
    if (cell.stderr !== "") {
      lines.push(indent(`stderr: ${cell.stderr}`));
    }
    if (cell.output !== null && cell.output.text !== null && cell.output.text !== "") {
      lines.push(indent(`output: ${cell.output.text}`));
    }
    if (cell.error !== null) {
      lines.push(indent(cell.error.traceback || `${cell.error.ename}: ${cell.error.evalue}`));
    }
    return lines.join("\n");
  });
  const failed = cells.filter((cell) => cell.status === "error").length;
  const cancelled = cells.filter((cell) => cell.status === "cancelled").length;
  const summary = `${cells.length} cells: ${failed} failed, ${cancelled} did not run`;
  return [...blocks, summary].join("\n");
}

function indent(text: string): string {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}

/**
 * Finds the flowchart node of the innermost traceback frame. hexa marks each generated line
 * with a trailing `# node: ID` comment, and tracebacks quote the failing source line.
 */
export function nodeOfTraceback(traceback: string): string | undefined {
  const marks = [...traceback.matchAll(/#\s*node:\s*([A-Za-z_][\w-]*)/g)];
  return marks.at(-1)?.[1];
}

/** Lists the failed cells with the node each error points at. */
export function nodeErrors(cells: readonly CellResult[]): NodeError[] {
  return cells.flatMap((cell) => {
    if (cell.status !== "error" || cell.error === null) {
      return [];
    }
    const message = `${cell.error.ename}: ${cell.error.evalue}`;
    return [{ nodeId: nodeOfTraceback(cell.error.traceback), message }];
  });
}

const SHAPE_OR_EDGE = String.raw`(?=\s*(?:[\[({>]|-|=|~|&|$|:::))`;

/**
 * Finds where node `id` first appears as a node in Mermaid `text`: at a line start or after an
 * arrow, edge label or `&`, followed by a shape, an edge or the end of the line.
 */
export function findNode(text: string, id: string): LineSpan | undefined {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(String.raw`(^|[\s|>&])(${escaped})${SHAPE_OR_EDGE}`);
  const lines = text.split("\n");
  for (const [line, content] of lines.entries()) {
    if (/^\s*(%%|classDef\b|class\b|style\b|linkStyle\b|click\b)/.test(content)) {
      continue;
    }
    const match = pattern.exec(content);
    if (match !== null && match[1] !== undefined) {
      return { line, character: match.index + match[1].length, length: id.length };
    }
  }
  return undefined;
}
