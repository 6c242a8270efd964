// Copies the prebuilt modeler and read-only navigated viewer of the bpmn-js package (installed by
// `npm ci` from the lock file) into the Flask app's static files: api/web/static/build/bpmn-js/.
// The browser loads them from there (the modeler page, the case page's diagram); nothing is
// fetched from a CDN at run time. `make web` runs this, again whenever this file changes.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "node_modules", "bpmn-js", "dist");
const target = join(here, "..", "api", "web", "static", "build", "bpmn-js");
const files = [
  "bpmn-modeler.production.min.js",
  "bpmn-navigated-viewer.production.min.js",
  "assets/diagram-js.css",
  "assets/bpmn-js.css",
  "assets/bpmn-font/css/bpmn-embedded.css",
];

if (!existsSync(source)) {
  console.error("bpmn-js is not installed: run `npm ci` in frontend/ first");
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
for (const file of files) {
  mkdirSync(dirname(join(target, file)), { recursive: true });
  cpSync(join(source, file), join(target, file));
}
const version = JSON.parse(readFileSync(join(here, "node_modules", "bpmn-js", "package.json"), "utf8")).version;
writeFileSync(join(target, "VERSION"), `bpmn-js ${version}\n`);
console.log(`copied bpmn-js ${version} to ${target}`);
