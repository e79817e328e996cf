// "Hexa: Preview Flowchart": a webview that renders the active chart with the mermaid.js
// shipped in the extension, and re-renders it as the document changes.

import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { findChart } from "./chart";
import { GENERATED_SCHEME } from "./generatedCode";
import { previewHtml } from "./webviewHtml";

const UPDATE_DELAY_MS = 250;

export class Preview implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private document: vscode.TextDocument | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === this.document) {
          this.scheduleUpdate();
        }
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (this.panel !== undefined && editor !== undefined && followsTo(editor.document)) {
          this.document = editor.document;
          this.scheduleUpdate();
        }
      }),
    );
  }

  show(): void {
    const document = vscode.window.activeTextEditor?.document;
    if (document === undefined || !hasChart(document)) {
      void vscode.window.showErrorMessage("Hexa: the active editor contains no Mermaid flowchart");
      return;
    }
    this.document = document;
    if (this.panel === undefined) {
      this.panel = this.createPanel();
    }
    this.panel.reveal(vscode.ViewColumn.Beside, true);
    this.update();
  }

  private createPanel(): vscode.WebviewPanel {
    const media = vscode.Uri.joinPath(this.extensionUri, "media");
    const panel = vscode.window.createWebviewPanel(
      "hexa.preview",
      "Flowchart preview",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [media] },
    );
    const webview = panel.webview;
    webview.html = previewHtml({
      nonce: randomBytes(16).toString("base64"),
      cspSource: webview.cspSource,
      mermaidScript: webview.asWebviewUri(vscode.Uri.joinPath(media, "mermaid.min.js")).toString(),
      previewScript: webview.asWebviewUri(vscode.Uri.joinPath(media, "preview.js")).toString(),
    });
    webview.onDidReceiveMessage((message: { type?: string; message?: string }) => {
      if (message.type === "ready") {
        this.update();
      } else if (message.type === "renderFailed") {
        this.log.debug(`preview: mermaid could not render the chart: ${message.message ?? ""}`);
      }
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.document = undefined;
    });
    return panel;
  }

  private scheduleUpdate(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), UPDATE_DELAY_MS);
  }

  private update(): void {
    if (this.panel === undefined || this.document === undefined) {
      return;
    }
    const chart = findChart(this.document.getText(), this.document.languageId);
    this.panel.title = `Preview ${vscode.workspace.asRelativePath(this.document.uri)}`;
    void this.panel.webview.postMessage({ type: "update", source: chart?.text ?? "" });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.panel?.dispose();
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
  }
}

/**
 * Returns whether the open preview switches to `document` when it becomes active. The
 * generated-code view repeats the chart it came from, so the preview stays on that chart.
 */
function followsTo(document: vscode.TextDocument): boolean {
  return document.uri.scheme !== GENERATED_SCHEME && hasChart(document);
}

function hasChart(document: vscode.TextDocument): boolean {
  return findChart(document.getText(), document.languageId) !== undefined;
}
