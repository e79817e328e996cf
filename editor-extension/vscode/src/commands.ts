// The palette commands that call hexa: generate, run, open in marimo, show the code.

import * as vscode from "vscode";
import { ExecuteCommandRequest } from "vscode-languageclient/node";
import { findChart, isHexaNotebook, notebookPathOf } from "./chart";
import type { HexaClient } from "./client";
import { GeneratedCode } from "./generatedCode";
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
  private readonly generatedCode: GeneratedCode;

  constructor(
    private readonly hexa: HexaClient,
    private readonly marimo: MarimoPanel,
  ) {
    this.generatedCode = new GeneratedCode(hexa);
  }

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
    const written = vscode.Uri.file(await this.generateFile(document, target));
    await vscode.window.showTextDocument(written, {
      viewColumn: vscode.ViewColumn.Beside,
      preview: false,
    });
    void vscode.window.showInformationMessage(
      `Hexa: wrote ${vscode.workspace.asRelativePath(written)}`,
    );
  }

  /** Asks the server to write the notebook or script of `chart` beside it, and returns its path. */
  private async generateFile(chart: vscode.TextDocument, target: GenerateTarget): Promise<string> {
    const result = await this.execute(ServerCommand.generateNotebook, [
      chart.uri.toString(),
      target,
    ]);
    if (!isGenerateResult(result)) {
      throw new Error(`unexpected reply from ${ServerCommand.generateNotebook}`);
    }
    this.hexa.log.info(`generated ${result.path}`);
    return result.path;
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
    // marimo opens only notebooks, so a chart opens as the notebook generated from it.
    const notebook =
      document.languageId === "python" ? document.uri : await this.notebookOf(document);
    const result = await this.execute(ServerCommand.openInMarimo, [notebook.toString()]);
    const url = marimoUrl(result);
    if (url === undefined) {
      throw new Error(`${ServerCommand.openInMarimo} returned no URL`);
    }
    await this.marimo.show(url);
  }

  /**
   * Returns the hexa notebook beside `chart` (`NAME.py`), generating it when there is none.
   * NOTE: an existing notebook is used as it is, even when the chart changed after it was
   * generated.
   */
  private async notebookOf(chart: vscode.TextDocument): Promise<vscode.Uri> {
    const beside = vscode.Uri.file(notebookPathOf(chart.uri.fsPath));
    const text = await vscode.workspace.fs.readFile(beside).then(
      (bytes) => new TextDecoder().decode(bytes),
      () => undefined,
    );
    if (text !== undefined && isHexaNotebook(text)) {
      return beside;
    }
    return vscode.Uri.file(await this.generateFile(chart, "notebook"));
  }

  private async showGeneratedCode(): Promise<void> {
    const document = activeDocument(CHART_LANGUAGES);
    if (document === undefined) {
      return;
    }
    await this.generatedCode.show(document);
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
    this.generatedCode.dispose();
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
