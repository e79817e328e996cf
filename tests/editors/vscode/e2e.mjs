// End-to-end check of the VS Code extension in code-server, driven by headless Chromium:
// open a chart with an unclosed bracket, see the error squiggle, fix the line, run
// "Hexa: Generate Notebook from Flowchart" from the palette, then check the notebook on disk
// with `hexa check`. Environment: CODE_SERVER_URL, HEXA_WORKSPACE, HEXA_BIN, HEXA_ARTIFACTS,
// CHROMIUM. Exits 0 on success, 1 with a FAIL line otherwise.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env("CODE_SERVER_URL");
const workspace = env("HEXA_WORKSPACE");
const hexa = env("HEXA_BIN");
const artifacts = env("HEXA_ARTIFACTS");
const started = Date.now();
const log = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(2)}s] ${message}`);

async function runPalette(page, title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: 10000 });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ timeout: 10000 });
  await page.keyboard.press("Enter");
}

async function openFile(page, name) {
  await page.keyboard.press("Control+P");
  await page.locator(".quick-input-widget input").fill(name);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first().waitFor();
  await page.keyboard.press("Enter");
}

// Webviews are nested iframes, so look for the rendered SVG in every frame of the page.
async function waitForPreviewSvg(page) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const nodes = await frame
        .evaluate(() => document.querySelectorAll("#chart svg g.node").length)
        .catch(() => 0);
      if (nodes >= 5) return;
    }
    await page.waitForTimeout(250);
  }
  throw new Error("the preview showed no chart with 5 nodes within 30 s");
}

async function main(page) {
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
  log("workbench visible");

  await openFile(page, "flow.mmd");
  await page.locator(".monaco-editor .view-lines", { hasText: "flowchart TD" }).waitFor();
  log("flow.mmd open");

  const running = page.locator(".statusbar-item", { hasText: "hexa" }).locator(".codicon-pass");
  await running.first().waitFor({ timeout: 30000 });
  log("status bar shows the server running");

  const squiggle = page.locator(".monaco-editor .squiggly-error").first();
  await squiggle.waitFor({ timeout: 30000 });
  const brokenLine = page.locator(".monaco-editor .view-line", { hasText: "C[x = n * 2" });
  const squiggleBox = await squiggle.boundingBox();
  const lineBox = await brokenLine.boundingBox();
  if (!squiggleBox || !lineBox || Math.abs(squiggleBox.y - lineBox.y) > lineBox.height) {
    throw new Error(
      `squiggle at ${JSON.stringify(squiggleBox)}, broken line at ${JSON.stringify(lineBox)}`,
    );
  }
  log("error squiggle from hexa lsp on the broken line");
  await page.screenshot({ path: join(artifacts, "vscode-diagnostic.png") });

  await page.keyboard.press("Control+G");
  await page.locator(".quick-input-widget input").fill(":3");
  await page.keyboard.press("Enter");
  await page.keyboard.press("End");
  await page.keyboard.type("]");
  await page
    .locator(".monaco-editor .squiggly-error")
    .first()
    .waitFor({ state: "detached", timeout: 30000 });
  await page.keyboard.press("Control+S");
  log("line 3 fixed, squiggle gone");

  await runPalette(page, "Hexa: Generate Notebook from Flowchart");
  const notebook = join(workspace, "flow.py");
  const deadline = Date.now() + 30000;
  while (!existsSync(notebook)) {
    if (Date.now() > deadline) {
      throw new Error(
        `${notebook} not written; the folder contains ${readdirSync(workspace).join(", ")}`,
      );
    }
    await page.waitForTimeout(200);
  }
  log("notebook written by the palette command");
  await page.locator(".tab", { hasText: "flow.py" }).first().waitFor({ timeout: 10000 });
  await page.screenshot({ path: join(artifacts, "vscode-generated.png") });

  const output = execFileSync(hexa, ["check", notebook], { encoding: "utf8", cwd: workspace });
  log(`hexa check passed${output.trim() ? `: ${output.trim()}` : ""}`);

  // The notebook opened beside the chart, so focus the first editor group, which has flow.mmd.
  await page.keyboard.press("Control+1");
  await page.locator("#status\\.editor\\.mode", { hasText: "Mermaid" }).waitFor({ timeout: 10000 });
  await runPalette(page, "Hexa: Preview Flowchart");
  await page.locator(".tab", { hasText: "Preview flow.mmd" }).waitFor({ timeout: 10000 });
  await waitForPreviewSvg(page);
  log("preview rendered the chart with the bundled mermaid.js");
  await page.screenshot({ path: join(artifacts, "vscode-preview.png") });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/lib/chromium/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
let failed = false;
try {
  await main(page);
  log("PASS");
} catch (error) {
  failed = true;
  console.log(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
  await page.screenshot({ path: join(artifacts, "vscode-failure.png") }).catch(() => {});
} finally {
  // Leaving the page lets code-server end the extension host (and hexa lsp) at once instead
  // of keeping it for a reconnection grace period.
  await page.goto("about:blank").catch(() => {});
  await page.waitForTimeout(1000);
  await browser.close();
}
process.exit(failed ? 1 : 0);
