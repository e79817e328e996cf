// Starts, restarts and stops the `hexa lsp` client, and shows its state in the status bar.

import * as fs from "node:fs";
import * as vscode from "vscode";
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import { serverCommandLine, type ServerCommandLine, type ServerSettings } from "./serverCommand";

/** Files the server handles: flowcharts, Markdown with mermaid fences, hexa notebooks. */
export const DOCUMENT_SELECTOR = [
  { scheme: "file", language: "mermaid" },
  { scheme: "untitled", language: "mermaid" },
  { scheme: "file", language: "markdown" },
  { scheme: "file", language: "python" },
];

export function readSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration("hexa");
  return {
    configuredPath: config.get<string>("path", ""),
    pythonPath: config.get<string>("pythonPath", ""),
  };
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Owns the language client; `client` is undefined while no server is started. */
export class HexaClient implements vscode.Disposable {
  client: LanguageClient | undefined;
  private readonly status: vscode.StatusBarItem;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    private readonly middleware: LanguageClientOptions["middleware"],
  ) {
    this.status = vscode.window.createStatusBarItem("hexa.status", vscode.StatusBarAlignment.Left);
    this.status.name = "Hexa language server";
    this.status.command = "hexa.restartServer";
    this.showState("stopped");
    this.status.show();
  }

  /** Builds the server's command line. The other hexa subcommands run the same binary. */
  commandLine(): ServerCommandLine {
    return serverCommandLine(readSettings(), {
      extensionPath: this.context.extensionPath,
      platform: process.platform,
      arch: process.arch,
      isFile,
    });
  }

  async start(): Promise<void> {
    const line = this.commandLine();
    this.log.info(`starting ${line.command} ${line.args.join(" ")} (binary from ${line.source})`);

    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const serverOptions: ServerOptions = {
      command: line.command,
      args: line.args,
      options: cwd === undefined ? {} : { cwd },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.log,
      traceOutputChannel: this.log,
      ...(this.middleware === undefined ? {} : { middleware: this.middleware }),
    };
    const client = new LanguageClient("hexa", "Hexa", serverOptions, clientOptions);
    client.onDidChangeState((event) => {
      this.showState(event.newState === State.Running ? "running" : stateName(event.newState));
    });
    this.client = client;
    this.showState("starting");
    try {
      await client.start();
    } catch (error) {
      this.showState("failed");
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`failed to start the hexa language server: ${message}`);
      void vscode.window.showErrorMessage(
        `Hexa: failed to start \`${line.command} lsp\`: ${message}. Set "hexa.path" to the hexa binary.`,
      );
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      await client.dispose().catch((error: unknown) => {
        this.log.warn(`stopping the language server failed: ${String(error)}`);
      });
    }
    this.showState("stopped");
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Returns the running client; throws when the server is not running. */
  running(): LanguageClient {
    if (this.client?.state === State.Running) {
      return this.client;
    }
    throw new Error(
      "the language server is not running; run “Hexa: Restart Language Server” and check the Hexa output",
    );
  }

  private showState(state: "starting" | "running" | "stopped" | "failed"): void {
    const icons = {
      starting: "$(sync~spin)",
      running: "$(pass)",
      stopped: "$(circle-slash)",
      failed: "$(error)",
    };
    this.status.text = `${icons[state]} hexa`;
    this.status.tooltip = `Hexa language server: ${state}. Click to restart.`;
    this.status.backgroundColor =
      state === "failed" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  }

  dispose(): void {
    void this.stop();
    this.status.dispose();
  }
}

function stateName(state: State): "starting" | "stopped" {
  return state === State.Starting ? "starting" : "stopped";
}
