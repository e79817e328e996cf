// "Hexa: Show Generated Code": runs `hexa generate - -o -` on the active chart and shows the
// notebook in a read-only editor, a virtual document of the `hexa-generated` scheme.

import { spawn } from "node:child_process";
import * as path from "node:path";
import * as vscode from "vscode";
import type { HexaClient } from "./client";

export const GENERATED_SCHEME = "hexa-generated";

export class GeneratedCode implements vscode.TextDocumentContentProvider, vscode.Disposable {
  /** The code of each open generated document, keyed by its URI. */
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChange = this.changed.event;

  constructor(private readonly hexa: HexaClient) {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(GENERATED_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme === GENERATED_SCHEME) {
          this.texts.delete(document.uri.toString());
        }
      }),
      this.changed,
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "";
  }

  /** Generates the notebook of `chart` and shows it beside the chart, refreshing an open view. */
  async show(chart: vscode.TextDocument): Promise<void> {
    const line = this.hexa.commandLine();
    const args = [...line.args.slice(0, -1), "generate", "-", "-o", "-"];
    const code = await runWithStdin(line.command, args, chart.getText());
    const uri = generatedUri(chart.uri);
    this.texts.set(uri.toString(), code);
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside });
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
  }
}

/** `hexa-generated:/DIR/NAME (generated).py` for the chart `/DIR/NAME.mmd`. */
function generatedUri(chart: vscode.Uri): vscode.Uri {
  const { dir, name } = path.posix.parse(chart.path);
  const file = path.posix.join(dir, `${name} (generated).py`);
  return vscode.Uri.from({ scheme: GENERATED_SCHEME, path: file });
}

/** Runs `command` with `input` on stdin and resolves to its stdout; rejects with its stderr. */
function runWithStdin(command: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString("utf8"));
      } else {
        const message = Buffer.concat(stderr).toString("utf8").trim();
        reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${message}`));
      }
    });
    child.stdin.end(input);
  });
}
