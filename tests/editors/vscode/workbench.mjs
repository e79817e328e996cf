// Helpers that drive the code-server workbench through playwright-core: the command palette,
// Quick Open, Go to Line, and lookups of squiggles, panels and webview frames.

/**
 * Calls `check` every 200 ms until it returns a truthy value, and returns that value. Throws
 * after `timeout` ms with `description` in the message.
 */
export async function poll(page, description, check, timeout = 30000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeout / 1000} s: ${description}`);
    await page.waitForTimeout(200);
  }
}

export async function runPalette(page, title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: 10000 });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ timeout: 10000 });
  await page.keyboard.press("Enter");
}

export async function openFile(page, name) {
  await page.keyboard.press("Control+P");
  await page.locator(".quick-input-widget input").fill(name);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first().waitFor();
  await page.keyboard.press("Enter");
}

/** Moves the cursor of the focused editor to 1-based `line` and `column`. */
export async function goToLine(page, line, column = 1) {
  await page.keyboard.press("Control+G");
  await page.locator(".quick-input-widget input").fill(`:${line}:${column}`);
  await page.keyboard.press("Enter");
}

/**
 * Focuses the flow.mmd editor by clicking its tab. A click works even when a webview has the
 * keyboard focus, which keeps shortcuts such as Control+1 from the workbench.
 */
export async function focusChart(page) {
  await page.locator('.tab[data-resource-name="flow.mmd"]').click();
  await page.locator("#status\\.editor\\.mode", { hasText: "Mermaid" }).waitFor({ timeout: 10000 });
}

/** Waits for an error squiggle on the editor line that contains `lineText`. */
export async function waitForSquiggleOnLine(page, lineText, timeout = 30000) {
  const line = page.locator(".monaco-editor .view-line", { hasText: lineText }).first();
  return poll(
    page,
    `an error squiggle on the line "${lineText}"`,
    async () => {
      const lineBox = await line.boundingBox().catch(() => null);
      if (!lineBox) return null;
      for (const squiggle of await page.locator(".monaco-editor .squiggly-error").all()) {
        const box = await squiggle.boundingBox().catch(() => null);
        if (box && Math.abs(box.y - lineBox.y) < lineBox.height) return box;
      }
      return null;
    },
    timeout,
  );
}

/** Returns the text of the lines the output panel renders. */
export async function outputPanelText(page) {
  const lines = page.locator(".part.panel .monaco-editor .view-line");
  return (await lines.allInnerTexts()).join("\n").replace(/\u00a0/g, " ");
}

/** Returns the first frame of the page (webviews are nested iframes) that `test` accepts. */
export async function findFrame(page, description, test, timeout = 30000) {
  return poll(
    page,
    description,
    async () => {
      for (const frame of page.frames()) {
        if (await test(frame).catch(() => false)) return frame;
      }
      return null;
    },
    timeout,
  );
}
