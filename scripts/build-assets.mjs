// Build the static assets into unionhome/static/dist: htmx as shipped, and a slim ECharts bundle.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "unionhome", "static", "dist");
mkdirSync(dist, { recursive: true });
copyFileSync(join(root, "node_modules", "htmx.org", "dist", "htmx.min.js"), join(dist, "htmx.min.js"));
await build({
  entryPoints: [join(root, "scripts", "echarts-entry.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2018"],
  outfile: join(dist, "echarts.slim.min.js"),
  legalComments: "none",
});
console.log("assets built in", dist);
