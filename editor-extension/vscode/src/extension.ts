// Entry point: starts the hexa language client and registers the palette commands.

import * as vscode from "vscode";
import { type Middleware, ResponseError } from "vscode-languageclient/node";
import { HexaClient } from "./client";
import { Commands } from "./commands";
import { MarimoPanel } from "./marimo";
import { Preview } from "./preview";

let hexa: HexaClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel("Hexa", { log: true });
  const marimo = new MarimoPanel(log);
  const preview = new Preview(context.extensionUri, log);

  // The server sends marimo's URL with `window/showDocument`, so show it in the panel
  // instead of an outside browser.
  const middleware: Middleware = {
    window: {
      showDocument: async (params, next) => {
        const scheme = vscode.Uri.parse(params.uri).scheme;
        if (params.external === true && (scheme === "http" || scheme === "https")) {
          await marimo.show(params.uri);
          return { success: true };
        }
        const result = await next(params, new vscode.CancellationTokenSource().token);
        return result instanceof ResponseError ? { success: false } : result;
      },
    },
  };

  hexa = new HexaClient(context, log, middleware);
  const commands = new Commands(hexa, marimo);
  commands.register(context);
  context.subscriptions.push(
    log,
    marimo,
    preview,
    hexa,
    vscode.commands.registerCommand("hexa.preview", () => preview.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (
        event.affectsConfiguration("hexa.path") ||
        event.affectsConfiguration("hexa.pythonPath")
      ) {
        void hexa?.restart();
      }
    }),
  );
  await hexa.start();
}

export async function deactivate(): Promise<void> {
  await hexa?.stop();
  hexa = undefined;
}
