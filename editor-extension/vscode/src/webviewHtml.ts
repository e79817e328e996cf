// HTML of the two webviews: the flowchart preview and the marimo editor frame. Both pages
// run under a Content Security Policy that allows only the extension's own files.

export interface PreviewPage {
  nonce: string;
  /** `webview.cspSource`: the origin of the extension's files inside the webview. */
  cspSource: string;
  mermaidScript: string;
  previewScript: string;
}

export function previewHtml(page: PreviewPage): string {
  const csp = [
    "default-src 'none'",
    `img-src ${page.cspSource} data:`,
    // mermaid writes <style> elements into the SVG it renders.
    `style-src ${page.cspSource} 'unsafe-inline'`,
    `font-src ${page.cspSource}`,
    `script-src 'nonce-${page.nonce}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Flowchart preview</title>
<style>
  body { padding: 1em; }
  #error { color: var(--vscode-errorForeground); white-space: pre-wrap; font-family: monospace; }
  #chart svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<div id="error" role="alert"></div>
<div id="chart"></div>
<script nonce="${page.nonce}" src="${page.mermaidScript}"></script>
<script nonce="${page.nonce}" src="${page.previewScript}"></script>
</body>
</html>`;
}

export interface MarimoPage {
  /** The marimo server's origin, for `frame-src`. */
  origin: string;
  url: string;
}

export function marimoHtml(page: MarimoPage): string {
  const csp = ["default-src 'none'", `frame-src ${page.origin}`, "style-src 'unsafe-inline'"].join(
    "; ",
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>marimo</title>
<style>html, body, iframe { margin: 0; padding: 0; width: 100%; height: 100%; border: 0; }</style>
</head>
<body><iframe src="${escapeAttribute(page.url)}" title="marimo"></iframe></body>
</html>`;
}

export function escapeAttribute(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/"/g, "&quot;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}
