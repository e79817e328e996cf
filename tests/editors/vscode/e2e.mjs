// End-to-end check of the VS Code extension in code-server, driven by headless Chromium. It
// runs every "Hexa:" palette command on flow.mmd and checks what each one produced. That is
// the squiggle of a syntax error, the notebook and the script on disk, the preview, the
// generated code, the run report, a runtime error on its node, marimo in a panel and a
// restarted server. Environment: CODE_SERVER_URL, CODE_SERVER_PGID, HEXA_WORKSPACE, HEXA_BIN,
// HEXA_PYTHON, HEXA_ARTIFACTS, CHROMIUM. Exits 0 on success, 1 with a FAIL line otherwise.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { isAlive, languageServers, processGroup } from "./processes.mjs";
import {
  findFrame,
  focusChart,
  goToLine,
  openFile,
  outputPanelText,
  poll,
  runPalette,
  waitForSquiggleOnLine,
} from "./workbench.mjs";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env("CODE_SERVER_URL");
const codeServerGroup = Number(env("CODE_SERVER_PGID"));
const workspace = env("HEXA_WORKSPACE");
const hexa = env("HEXA_BIN");
const python = env("HEXA_PYTHON");
const artifacts = env("HEXA_ARTIFACTS");
const started = Date.now();
const log = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(2)}s] ${message}`);
const screenshot = (page, name) => page.screenshot({ path: join(artifacts, `vscode-${name}.png`) });

async function waitForFile(page, name) {
  const file = join(workspace, name);
  await poll(
    page,
    `${file} to be written; the folder contains ${readdirSync(workspace).join(", ")}`,
    () => existsSync(file),
  );
  return file;
}

async function waitForServerRunning(page) {
  const running = page.locator(".statusbar-item", { hasText: "hexa" }).locator(".codicon-pass");
  await running.first().waitFor({ timeout: 30000 });
}

async function fixSyntaxError(page) {
  await waitForSquiggleOnLine(page, "C[x = n * 2 + 1729");
  log("error squiggle from hexa lsp on the broken line");
  await screenshot(page, "diagnostic");

  await goToLine(page, 3);
  await page.keyboard.press("End");
  await page.keyboard.type("]");
  await page
    .locator(".monaco-editor .squiggly-error")
    .first()
    .waitFor({ state: "detached", timeout: 30000 });
  await page.keyboard.press("Control+S");
  log("line 3 fixed, squiggle gone");
}

async function generateNotebook(page) {
  await runPalette(page, "Hexa: Generate Notebook from Flowchart");
  const notebook = await waitForFile(page, "flow.py");
  log("notebook written by the palette command");
  await page.locator(".tab", { hasText: "flow.py" }).first().waitFor({ timeout: 10000 });
  await screenshot(page, "generated");

  const output = execFileSync(hexa, ["check", notebook], { encoding: "utf8", cwd: workspace });
  log(`hexa check passed${output.trim() ? `: ${output.trim()}` : ""}`);
}

async function preview(page) {
  // The notebook opened beside the chart, so focus the first editor group, which has flow.mmd.
  await focusChart(page);
  await runPalette(page, "Hexa: Preview Flowchart");
  await page.locator(".tab", { hasText: "Preview flow.mmd" }).waitFor({ timeout: 10000 });
  const countNodes = () => document.querySelectorAll("#chart svg g.node").length;
  await findFrame(
    page,
    "the preview to show a chart with 5 nodes",
    async (frame) => (await frame.evaluate(countNodes)) >= 5,
  );
  log("preview rendered the chart with the bundled mermaid.js");
  await screenshot(page, "preview");
}

async function showGeneratedCode(page) {
  await focusChart(page);
  await runPalette(page, "Hexa: Show Generated Code");
  const tab = page.locator(".tab.active", { hasText: "flow (generated).py" });
  await tab.waitFor({ timeout: 15000 });
  const editor = page.locator(".editor-group-container.active .monaco-editor").first();
  // Only the generated flow function has `# node:` marks, so find one and look at its line.
  await page.keyboard.press("Control+F");
  await page.keyboard.type("# node: C");
  const count = page.locator(".editor-group-container.active .find-widget .matchesCount");
  await poll(
    page,
    "the find widget to count one `# node: C`",
    async () => (await count.innerText()).trim() === "1 of 1",
  );
  await editor.locator(".view-line", { hasText: "x = n * 2 + 1729 # node: C" }).waitFor();
  // The first Escape may only hide a notification toast, so press it until the widget closes.
  const findWidget = page.locator(".editor-group-container.active .find-widget.visible");
  await poll(page, "the find widget to close", async () => {
    await page.keyboard.press("Escape");
    return (await findWidget.count()) === 0;
  });
  log("generated code shows `x = n * 2 + 1729  # node: C`");

  await page.keyboard.type("zzz");
  await editor
    .locator(".monaco-editor-overlaymessage", { hasText: "read-only" })
    .waitFor({ timeout: 5000 });
  log("the generated code editor is read-only");
  await screenshot(page, "generated-code");
}

async function generateScript(page) {
  await focusChart(page);
  await runPalette(page, "Hexa: Generate Python Script");
  const script = await waitForFile(page, "flow_script.py");
  const printed = execFileSync(python, [script], {
    input: "21\n",
    encoding: "utf8",
    cwd: workspace,
  });
  if (printed.trim() !== "1771") {
    throw new Error(`${script} with n = 21 printed ${JSON.stringify(printed)}, expected 1771`);
  }
  log("script written; with n = 21 on stdin it prints 1771");
  await screenshot(page, "script");
}

/** Waits until the output panel contains `pattern` and returns the panel's text. */
async function waitForOutput(page, description, pattern) {
  return poll(
    page,
    description,
    async () => {
      const text = await outputPanelText(page);
      return pattern.test(text) ? text : null;
    },
    60000,
  );
}

// The palette command passes no inputs, so the widget `n` keeps its default, 0.
async function runNotebook(page) {
  await focusChart(page);
  await runPalette(page, "Hexa: Run Notebook");
  const text = await waitForOutput(page, "the Hexa Run output of a run", /\d+ cells: \d+ failed/);
  if (!/^ {4}1729$/m.test(text)) throw new Error(`the run printed no 1729 (n = 0):\n${text}`);
  if (!/ 0 failed, 0 did not run/.test(text)) throw new Error(`the run failed:\n${text}`);
  log("Hexa Run output shows the flow cell printing 1729");
  await screenshot(page, "run");
}

// Makes node C divide by n, which is 0 in a palette run, and runs the notebook again.
async function runNotebookWithError(page) {
  await focusChart(page);
  await goToLine(page, 3, 17); // the n of `    B --> C[x = n * 2 + 1729]`
  await page.keyboard.press("Shift+End");
  await page.keyboard.press("Shift+ArrowLeft");
  await page.keyboard.type("1729 / n");
  await page.locator(".monaco-editor .view-line", { hasText: "C[x = 1729 / n]" }).waitFor();
  await page.keyboard.press("Control+S");

  await runPalette(page, "Hexa: Run Notebook");
  const text = await waitForOutput(page, "the Hexa Run output of the failed run", /1 failed/);
  if (!text.includes("ZeroDivisionError")) throw new Error(`no ZeroDivisionError in:\n${text}`);
  const squiggle = await waitForSquiggleOnLine(page, "C[x = 1729 / n]");
  log("the run's ZeroDivisionError is a squiggle on node C");

  await page.mouse.move(squiggle.x + squiggle.width / 2, squiggle.y + squiggle.height / 2);
  const message = "ZeroDivisionError: division by zero (node C)";
  await page.locator(".monaco-hover", { hasText: message }).first().waitFor({ timeout: 10000 });
  log(`its hover says "${message}"`);
  await screenshot(page, "run-error");
  await page.mouse.move(0, 0);
}

/** Returns the `hexa serve` recorded in the workspace's index, or null before one starts. */
function recordedServer() {
  const index = join(workspace, ".hexa-index.json");
  if (!existsSync(index)) return null;
  return JSON.parse(readFileSync(index, "utf8")).server ?? null;
}

async function openInMarimo(page) {
  await focusChart(page);
  await runPalette(page, "Hexa: Open Notebook in marimo");
  const server = await poll(page, "hexa serve to record itself in .hexa-index.json", () =>
    recordedServer(),
  );
  startedServer = server;
  if (!isAlive(server.pid) || processGroup(server.marimo_pid).length === 0) {
    throw new Error(`hexa serve ${server.pid} or marimo ${server.marimo_pid} is not running`);
  }
  log(`hexa serve ${server.pid} runs marimo ${server.marimo_pid} on port ${server.port}`);

  const direct = `http://127.0.0.1:${server.port}/`;
  // code-server maps servers on 127.0.0.1 to its own /proxy/PORT/ path.
  const proxied = `${url}/proxy/${server.port}/`;
  const isMarimoFrame = async (frame) =>
    (frame.url().startsWith(direct) || frame.url().startsWith(proxied)) &&
    new URL(frame.url()).searchParams.get("file") === "flow.py";
  const frame = await findFrame(
    page,
    `a frame of ${direct} or ${proxied} on flow.py`,
    isMarimoFrame,
  );
  log(`marimo frame at ${frame.url()}`);
  await frame.locator("#root").waitFor({ timeout: 30000 });
  await frame.getByText("x = n * 2 + 1729").first().waitFor({ timeout: 30000 });
  log("marimo's editor in the panel shows the notebook's flow cell");
  await screenshot(page, "marimo");
}

async function restartServer(page) {
  const before = languageServers(codeServerGroup, hexa);
  if (before.length !== 1) throw new Error(`expected one hexa lsp, found pids ${before}`);
  await focusChart(page);
  await runPalette(page, "Hexa: Restart Language Server");
  const after = await poll(page, `a new hexa lsp in place of ${before[0]}`, () => {
    const now = languageServers(codeServerGroup, hexa);
    return now.length === 1 && now[0] !== before[0] ? now : null;
  });
  log(`hexa lsp ${before[0]} replaced by ${after[0]}`);

  // Break line 4 and wait for the new server's squiggle there.
  await goToLine(page, 4);
  await page.keyboard.press("End");
  await page.keyboard.press("Backspace");
  await waitForSquiggleOnLine(page, "C --> D[/Print x/");
  log("the restarted server reports the unclosed bracket on line 4");
  // The client reports "running" before it opens the document on the new server, so the
  // status bar is up to date once the squiggle shows.
  await waitForServerRunning(page);
  log("the status bar shows the server running");
  await screenshot(page, "restart");
  await page.keyboard.type("]");
  await page.keyboard.press("Control+S");
}

// hexa lsp starts `hexa serve` in a process group of its own, which outlives the editor, so
// the test stops it. SIGTERM makes hexa serve stop marimo's process group first.
async function stopServe(page, server) {
  process.kill(server.pid, "SIGTERM");
  await poll(
    page,
    `hexa serve ${server.pid} and marimo's process group ${server.marimo_pid} to exit`,
    () =>
      !isAlive(server.pid) &&
      processGroup(server.pid).length === 0 &&
      processGroup(server.marimo_pid).length === 0,
    15000,
  );
  log(`hexa serve ${server.pid} and marimo ${server.marimo_pid} are gone`);
}

/** The `hexa serve` that "Open Notebook in marimo" started, for the cleanup after a failure. */
let startedServer = null;

async function main(page) {
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
  log("workbench visible");

  await openFile(page, "flow.mmd");
  await page.locator(".monaco-editor .view-lines", { hasText: "flowchart TD" }).waitFor();
  log("flow.mmd open");
  await waitForServerRunning(page);
  log("status bar shows the server running");

  await fixSyntaxError(page);
  await generateNotebook(page);
  await preview(page);
  await showGeneratedCode(page);
  await generateScript(page);
  await runNotebook(page);
  await openInMarimo(page);
  await runNotebookWithError(page);
  await restartServer(page);
  await stopServe(page, startedServer);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/lib/chromium/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    // The test needs no outside network, so keep Chromium from fetching anything by itself.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
let failed = false;
try {
  await main(page);
  log("PASS");
} catch (error) {
  failed = true;
  console.log(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
  await screenshot(page, "failure").catch(() => {});
} finally {
  // Leaving the page lets code-server end the extension host (and hexa lsp) at once instead
  // of keeping it for a reconnection grace period.
  await page.goto("about:blank").catch(() => {});
  await page.waitForTimeout(1000);
  await browser.close();
  if (startedServer !== null && isAlive(startedServer.pid)) {
    process.kill(startedServer.pid, "SIGTERM");
  }
}
process.exit(failed ? 1 : 0);
