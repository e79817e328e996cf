import { describe, expect, it } from "vitest";
import { escapeAttribute, marimoHtml, previewHtml } from "../src/webviewHtml";

describe("previewHtml", () => {
  const html = previewHtml({
    nonce: "abc123",
    cspSource: "vscode-resource:",
    mermaidScript: "vscode-resource:/media/mermaid.min.js",
    previewScript: "vscode-resource:/media/preview.js",
  });

  it("allows scripts only with the nonce", () => {
    expect(html).toContain("script-src 'nonce-abc123'");
    expect(html).not.toContain("unsafe-eval");
    expect(html.match(/<script nonce="abc123"/g)).toHaveLength(2);
  });

  it("denies everything else by default", () => {
    expect(html).toContain("default-src 'none'");
  });

  it("loads mermaid from the extension", () => {
    expect(html).toContain('src="vscode-resource:/media/mermaid.min.js"');
    expect(html).not.toMatch(/https?:\/\//);
  });
});

describe("marimoHtml", () => {
  it("frames only the marimo origin", () => {
    const html = marimoHtml({
      origin: "http://127.0.0.1:2718",
      url: "http://127.0.0.1:2718/?a=1&b",
    });
    expect(html).toContain("frame-src http://127.0.0.1:2718;");
    expect(html).toContain('src="http://127.0.0.1:2718/?a=1&amp;b"');
  });

  it("runs no script of its own", () => {
    // The panel enables scripts for marimo's frame, so the page's policy must block its own.
    const html = marimoHtml({ origin: "http://127.0.0.1:2718", url: "http://127.0.0.1:2718/" });
    expect(html).toContain("default-src 'none'");
    expect(html).not.toContain("script-src");
    expect(html).not.toContain("<script");
  });

  it("escapes quotes in attributes", () => {
    expect(escapeAttribute('a"<b>')).toBe("a&quot;&lt;b&gt;");
  });
});
