// Bundles the extension into dist/extension.js and copies mermaid.js into media/.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

// The preview webview loads mermaid from the extension, never from a CDN.
const require = createRequire(import.meta.url);
mkdirSync("media", { recursive: true });
copyFileSync(require.resolve("mermaid/dist/mermaid.min.js"), "media/mermaid.min.js");

const options = {
  entryPoints: ["src/extension.ts"],
  bundle: true,
  outfile: "dist/extension.js",
  external: ["vscode"],
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: !production,
  minify: production,
  logLevel: "info",
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
