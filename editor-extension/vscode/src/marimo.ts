// The webview panel that shows a notebook in marimo's editor, served by `hexa serve`.

import * as vscode from "vscode";
import { keepPathAndQuery } from "./externalUrl";
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
    const mapped = await vscode.env.asExternalUri(parsed);
    const external = keepPathAndQuery(url, mapped.toString(true));
    // Keep marimo's access token out of the log.
    const logged = external.replace(/access_token=[^&#]*/, "access_token=…");
    this.log.info(`opening marimo at ${logged}`);

    if (this.panel === undefined) {
      this.panel = vscode.window.createWebviewPanel(
        "hexa.marimo",
        "marimo",
        vscode.ViewColumn.Beside,
        // The iframe inherits the webview's sandbox, so marimo's editor runs only with
        // scripts enabled. The page's own policy (`default-src 'none'`) still blocks its scripts.
        { enableScripts: true, retainContextWhenHidden: true },
      );
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.shownUrl = undefined;
      });
    }
    this.panel.webview.html = marimoHtml({ origin: new URL(external).origin, url: external });
    this.shownUrl = url;
    this.panel.reveal();
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
