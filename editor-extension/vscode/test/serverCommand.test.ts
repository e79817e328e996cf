import { describe, expect, it } from "vitest";
import { bundledBinary, serverCommandLine } from "../src/serverCommand";

const linux = { extensionPath: "/ext", platform: "linux", arch: "x64" };

describe("serverCommandLine", () => {
  it("uses hexa.path when set", () => {
    const line = serverCommandLine(
      { configuredPath: " /opt/hexa ", pythonPath: "" },
      { ...linux, isFile: () => true },
    );
    expect(line).toEqual({ command: "/opt/hexa", args: ["lsp"], source: "setting" });
  });

  it("prefers the bundled binary over PATH", () => {
    const line = serverCommandLine(
      { configuredPath: "", pythonPath: "" },
      { ...linux, isFile: (file) => file === "/ext/bin/linux-x64/hexa" },
    );
    expect(line.command).toBe("/ext/bin/linux-x64/hexa");
    expect(line.source).toBe("bundled");
  });

  it("falls back to PATH without a bundled binary", () => {
    const line = serverCommandLine(
      { configuredPath: "", pythonPath: "" },
      { ...linux, isFile: () => false },
    );
    expect(line).toEqual({ command: "hexa", args: ["lsp"], source: "PATH" });
  });

  it("ignores a bundled binary on other platforms", () => {
    const line = serverCommandLine(
      { configuredPath: "", pythonPath: "" },
      { extensionPath: "/ext", platform: "darwin", arch: "arm64", isFile: () => true },
    );
    expect(line.source).toBe("PATH");
  });

  it("passes hexa.pythonPath before the subcommand", () => {
    const line = serverCommandLine(
      { configuredPath: "", pythonPath: "/venv" },
      { ...linux, isFile: () => false },
    );
    expect(line.args).toEqual(["--python", "/venv", "lsp"]);
  });

  it("expands ~ in hexa.path", () => {
    const home = process.env.HOME ?? "";
    const line = serverCommandLine(
      { configuredPath: "~/bin/hexa", pythonPath: "" },
      { ...linux, isFile: () => false },
    );
    expect(line.command).toBe(`${home}/bin/hexa`);
  });

  it("names the windows binary hexa.exe", () => {
    expect(bundledBinary("/ext", "win32", "x64")).toMatch(/hexa\.exe$/);
  });
});
