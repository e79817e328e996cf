// The palette commands that call the server: generate, run, open in marimo, show the code.

import { spawn } from "node:child_process";
import * as vscode from "vscode";
import { ExecuteCommandRequest } from "vscode-languageclient/node";
import { findChart } from "./chart";
import type { HexaClient } from "./client";
import type { MarimoPanel } from "./marimo";
import {
  type GenerateTarget,
  isGenerateResult,
  isRunResult,
  marimoUrl,
  ServerCommand,
} from "./protocol";
import { findNode, formatRunReport, nodeErrors } from "./runReport";

const CHART_LANGUAGES = ["mermaid", "markdown"];

export class Commands implements vscode.Disposable {
  private readonly runOutput = vscode.window.createOutputChannel("Hexa Run");
  private readonly runDiagnostics = vscode.languages.createDiagnosticCollection("hexa-run");

  constructor(
    private readonly hexa: HexaClient,
    private readonly marimo: MarimoPanel,
  ) {}

  register(context: vscode.ExtensionContext): void {
    const register = (id: string, handler: () => Promise<void>) =>
      vscode.commands.registerCommand(id, () => handler().catch((error) => this.fail(id, error)));
    context.subscriptions.push(
      register("hexa.generate", () => this.generate("notebook")),
      register("hexa.generateScript", () => this.generate("script")),
      register("hexa.run", () => this.run()),
      register("hexa.open", () => this.open()),
      register("hexa.showGeneratedCode", () => this.showGeneratedCode()),
      register("hexa.restartServer", () => this.hexa.restart()),
      vscode.workspace.onDidCloseTextDocument((document) =>
        this.runDiagnostics.delete(document.uri),
      ),
      this,
    );
  }

  private async generate(target: GenerateTarget): Promise<void> {
    const document = activeDocument(CHART_LANGUAGES);
    if (document === undefined) {
      return;
    }
    const result = await this.execute(ServerCommand.generateNotebook, [
      document.uri.toString(),
      target,
    ]);
    if (!isGenerateResult(result)) {
      throw new Error(`unexpected reply from ${ServerCommand.generateNotebook}`);
    }
    const written = vscode.Uri.file(result.path);
    this.hexa.log.info(`generated ${result.path}`);
    await vscode.window.showTextDocument(written, {
      viewColumn: vscode.ViewColumn.Beside,
      preview: false,
    });
    void vscode.window.showInformationMessage(
      `Hexa: wrote ${vscode.workspace.asRelativePath(written)}`,
    );
  }

  private async run(): Promise<void> {
    const document = activeDocument([...CHART_LANGUAGES, "python"]);
    if (document === undefined) {
      return;
    }
    await document.save();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Hexa: running the notebook" },
      () => this.execute(ServerCommand.runNotebook, [document.uri.toString()]),
    );
    if (!isRunResult(result)) {
      throw new Error(`unexpected reply from ${ServerCommand.runNotebook}`);
    }

    this.runOutput.clear();
    this.runOutput.appendLine(`hexa run ${vscode.workspace.asRelativePath(document.uri)}`);
    this.runOutput.appendLine(formatRunReport(result.cells));
    this.runOutput.show(true);

    const chart = findChart(document.getText(), document.languageId);
    const diagnostics = nodeErrors(result.cells).map((error) => {
      const span = chart && error.nodeId ? findNode(chart.text, error.nodeId) : undefined;
      const range =
        span === undefined
          ? new vscode.Range(chart?.startLine ?? 0, 0, chart?.startLine ?? 0, 0)
          : new vscode.Range(
              chart!.startLine + span.line,
              span.character,
              chart!.startLine + span.line,
              span.character + span.length,
            );
      const where = error.nodeId === undefined ? "" : ` (node ${error.nodeId})`;
      const diagnostic = new vscode.Diagnostic(
        range,
        `${error.message}${where}`,
        vscode.DiagnosticSeverity.Error,
      );
      diagnostic.source = "hexa run";
      return diagnostic;
    });
    this.runDiagnostics.set(document.uri, diagnostics);
  }

  private async open(): Promise<void> {
    const document = activeDocument([...CHART_LANGUAGES, "python"]);
    if (document === undefined) {
      return;
    }
    const result = await this.execute(ServerCommand.openInMarimo, [document.uri.toString()]);
    const url = marimoUrl(result);
    if (url === undefined) {
      throw new Error(`${ServerCommand.openInMarimo} returned no URL`);
    }
    await this.marimo.show(url);
  }

  private async showGeneratedCode(): Promise<void> {
    const document = activeDocument(CHART_LANGUAGES);
    if (document === undefined) {
      return;
    }
    const line = this.hexa.commandLine();
    const args = [...line.args.slice(0, -1), "generate", "-", "-o", "-"];
    const code = await runWithStdin(line.command, args, document.getText());
    const shown = await vscode.workspace.openTextDocument({ language: "python", content: code });
    await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside });
  }

  private async execute(command: string, args: unknown[]): Promise<unknown> {
    return this.hexa
      .running()
      .sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  private fail(command: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.hexa.log.error(`${command} failed: ${message}`);
    void vscode.window.showErrorMessage(`Hexa: ${message}`);
  }

  dispose(): void {
    this.runOutput.dispose();
    this.runDiagnostics.dispose();
  }
}

/** Returns the active editor's document if its language is in `languages`, else shows an error. */
function activeDocument(languages: string[]): vscode.TextDocument | undefined {
  const document = vscode.window.activeTextEditor?.document;
  if (document === undefined || !languages.includes(document.languageId)) {
    void vscode.window.showErrorMessage(
      `Hexa: open a ${languages.join(", ")} file first (the active editor has ${document?.languageId ?? "no file"})`,
    );
    return undefined;
  }
  if (document.isUntitled) {
    void vscode.window.showErrorMessage("Hexa: save the file first; hexa writes beside it");
    return undefined;
  }
  return document;
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
