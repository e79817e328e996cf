// Writes what mermaid.js itself makes of flowcharts: one JSON file per input with the
// vertices, edges and subgraphs of its flowchart DB, or the parse error.
// Usage: node dump.mjs OUT_DIR FILE.mmd ...
import { JSDOM } from 'jsdom';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

// mermaid's DOMPurify needs a window and a document.
const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, logLevel: 'fatal' });

const [outDir, ...files] = process.argv.slice(2);
if (!outDir || files.length === 0) {
  console.error('usage: node dump.mjs OUT_DIR FILE.mmd ...');
  process.exit(2);
}
for (const file of files) {
  let result;
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(readFileSync(file, 'utf8'));
    const vertices = [...diagram.db.getVertices().values()].map((v) => ({ id: v.id, text: v.text ?? null, type: v.type ?? null }));
    const edges = diagram.db.getEdges().map((e) => ({ start: e.start, end: e.end, text: e.text, type: e.type, stroke: e.stroke }));
    const subgraphs = diagram.db.getSubGraphs().map((s) => ({ id: s.id, title: s.title, nodes: s.nodes }));
    result = { ok: true, type: diagram.type, vertices, edges, subgraphs };
  } catch (error) {
    result = { ok: false, error: String(error?.message ?? error) };
  }
  const out = join(outDir, basename(file).replace(/\.mmd$/, '.json'));
  writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
}
