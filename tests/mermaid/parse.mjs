// Parses flowcharts with mermaid.js and prints one JSON object per file on stdout, one per line:
//   {"file", "ok": true, "nodes": [id], "edges": [[start, end]], "subgraphs": [{"id", "nodes"}]}
//   {"file", "ok": false, "error": message}
// With `--time N` it parses each file N times after one warm-up parse and prints
//   {"file", "ok", "runs": N, "mean_ms": ...}
// instead. Usage: node parse.mjs [--time N] FILE.mmd ...
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

// mermaid's DOMPurify needs a window and a document.
const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
// mermaid stops at 500 edges and 50,000 characters by default; the benchmark chart has more.
mermaid.initialize({ startOnLoad: false, logLevel: 'fatal', maxEdges: 1000000, maxTextSize: 10000000 });

let args = process.argv.slice(2);
let runs = 0;
if (args[0] === '--time') {
  runs = Number(args[1]);
  args = args.slice(2);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error('--time expects a positive whole number of runs');
    process.exit(2);
  }
}
if (args.length === 0) {
  console.error('usage: node parse.mjs [--time N] FILE.mmd ...');
  process.exit(2);
}

async function read(text) {
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  return {
    type: diagram.type,
    nodes: [...db.getVertices().keys()],
    edges: db.getEdges().map((edge) => [edge.start, edge.end]),
    subgraphs: db.getSubGraphs().map((subgraph) => ({ id: subgraph.id, nodes: subgraph.nodes })),
  };
}

for (const file of args) {
  const text = readFileSync(file, 'utf8');
  let result;
  try {
    const parsed = await read(text);
    result = { file, ok: true, ...parsed };
  } catch (error) {
    result = { file, ok: false, error: String(error?.message ?? error) };
  }
  if (runs > 0 && result.ok) {
    const started = performance.now();
    for (let i = 0; i < runs; i++) {
      await read(text);
    }
    const meanMs = (performance.now() - started) / runs;
    result = { file, ok: true, runs, mean_ms: meanMs };
  } else if (runs > 0) {
    result = { file, ok: false, runs: 0, mean_ms: null };
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}
