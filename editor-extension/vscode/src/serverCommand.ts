// Chooses the `hexa` binary and arguments that start the language server.

import * as path from "node:path";

export interface ServerSettings {
  /** `hexa.path`; empty means "choose for me". */
  configuredPath: string;
  /** `hexa.pythonPath`; empty means hexa's own discovery. */
  pythonPath: string;
}

export interface Host {
  extensionPath: string;
  platform: string;
  arch: string;
  isFile: (file: string) => boolean;
}

export interface ServerCommandLine {
  command: string;
  args: string[];
  /** Origin of the binary, for the log. */
  source: "setting" | "bundled" | "PATH";
}

/** Path of the binary a platform-specific .vsix ships, relative to the extension. */
export function bundledBinary(extensionPath: string, platform: string, arch: string): string {
  const name = platform === "win32" ? "hexa.exe" : "hexa";
  return path.join(extensionPath, "bin", `${platform}-${arch}`, name);
}

/**
 * Builds the server command line: `hexa.path` when set, else the bundled linux-x64 binary
 * when the .vsix has one, else `hexa` from `PATH`. `hexa.pythonPath` becomes `--python`.
 */
export function serverCommandLine(settings: ServerSettings, host: Host): ServerCommandLine {
  const args = settings.pythonPath.trim() === "" ? [] : ["--python", settings.pythonPath.trim()];
  args.push("lsp");

  const configured = settings.configuredPath.trim();
  if (configured !== "") {
    return { command: expandHome(configured), args, source: "setting" };
  }
  if (host.platform === "linux" && host.arch === "x64") {
    const bundled = bundledBinary(host.extensionPath, host.platform, host.arch);
    if (host.isFile(bundled)) {
      return { command: bundled, args, source: "bundled" };
    }
  }
  return { command: "hexa", args, source: "PATH" };
}

function expandHome(file: string): string {
  const home = process.env.HOME;
  if (home !== undefined && (file === "~" || file.startsWith("~/"))) {
    return path.join(home, file.slice(1));
  }
  return file;
}
