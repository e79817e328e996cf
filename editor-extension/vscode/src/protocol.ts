// Names and payload types of the hexa language server's `workspace/executeCommand` commands.
// Keep in step with `lsp/src/commands.rs`.

/** Commands the server registers; VS Code ids of the client's own commands differ from these. */
export const ServerCommand = {
  /** Arguments: document URI, then `"notebook"` (default) or `"script"`. Returns `GenerateResult`. */
  generateNotebook: "hexa.generateNotebook",
  /** Arguments: document URI, then optionally an object of input values. Returns `RunResult`. */
  runNotebook: "hexa.runNotebook",
  /** Arguments: document URI. Returns the URL of the notebook in `hexa serve`. */
  openInMarimo: "hexa.openInMarimo",
} as const;

export type GenerateTarget = "notebook" | "script";

/** Result of `hexa.generateNotebook`: the file the server wrote. */
export interface GenerateResult {
  uri: string | null;
  path: string;
}

export type CellStatus = "ok" | "error" | "cancelled";

export interface CellError {
  ename: string;
  evalue: string;
  traceback: string;
  /** 1-based line within the cell body of the innermost frame in the cell's code. */
  lineInCell: number | null;
}

export interface CellOutput {
  mime: string;
  data: string;
  text: string | null;
}

/** One cell of a `hexa.runNotebook` result, as `lsp/src/commands.rs` serializes it. */
export interface CellResult {
  cellId: string;
  name: string;
  /** 0-based position of the cell in the file. */
  index: number;
  /** 1-based line of the cell's `def` in the notebook. */
  defLine: number;
  status: CellStatus;
  stdout: string;
  stderr: string;
  output: CellOutput | null;
  error: CellError | null;
  elapsedMs: number;
}

export interface RunResult {
  cells: CellResult[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Checks the shape of a `hexa.runNotebook` response, so a server mismatch fails loudly. */
export function isRunResult(value: unknown): value is RunResult {
  if (!isObject(value) || !Array.isArray(value.cells)) {
    return false;
  }
  return value.cells.every(
    (cell) => isObject(cell) && typeof cell.status === "string" && typeof cell.index === "number",
  );
}

export function isGenerateResult(value: unknown): value is GenerateResult {
  return isObject(value) && typeof value.path === "string";
}

/** Reads the URL from a `hexa.openInMarimo` response: a string or an object with `url`. */
export function marimoUrl(value: unknown): string | undefined {
  if (typeof value === "string") {
    return value;
  }
  if (isObject(value) && typeof value.url === "string") {
    return value.url;
  }
  return undefined;
}
