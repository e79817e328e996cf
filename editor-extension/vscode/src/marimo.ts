// The webview panel that shows a notebook in marimo's editor, served by `hexa serve`.

import * as vscode from "vscode";
import { marimoHtml } from "./webviewHtml";

export class MarimoPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private shownUrl: string | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Shows `url` in the panel, mapped through `asExternalUri` for remote and web hosts. */
  async show(url: string): Promise<void> {
    // The server both sends `window/showDocument` and returns the URL, so skip the second call.
    if (this.panel !== undefined && this.shownUrl === url) {
      this.panel.reveal();
      return;
    }
    const parsed = vscode.Uri.parse(url, true);
    if (parsed.scheme !== "http" && parsed.scheme !== "https") {
      throw new Error(`marimo URL must be http(s), got ${url}`);
    }
    const external = await vscode.env.asExternalUri(parsed);
    const origin = `${external.scheme}://${external.authority}`;
    this.log.info(`opening marimo at ${external.toString(true)}`);

    if (this.panel === undefined) {
      this.panel = vscode.window.createWebviewPanel(
        "hexa.marimo",
        "marimo",
        vscode.ViewColumn.Beside,
        { enableScripts: false, retainContextWhenHidden: true },
      );
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.shownUrl = undefined;
      });
    }
    this.panel.webview.html = marimoHtml({ origin, url: external.toString(true) });
    this.shownUrl = url;
    this.panel.reveal();
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
