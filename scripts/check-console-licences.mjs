// Every package the console ships (production dependencies in console/package-lock.json) must carry a permissive
// licence. Exits 1 naming any other. Dev-only tools (the build, axe-core for tests) are not shipped.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const PERMISSIVE = /^(MIT|MIT\/X11|ISC|0BSD|BSD-2-Clause|BSD-3-Clause|Apache-2\.0|Unlicense|CC0-1\.0|BlueOak-1\.0\.0|Zlib)$/;
// Packages whose package.json names no licence, with the licence their own files state.
const STATED = { buffers: "MIT/X11" };

function acceptable(licence) {
  // "(MIT OR GPL-3.0-or-later)": one permissive choice suffices; "(MIT AND Zlib)": every part must be permissive.
  const text = licence.replace(/[()]/g, "").trim();
  if (text.includes(" OR ")) return text.split(" OR ").some((l) => PERMISSIVE.test(l.trim()));
  return text.split(" AND ").every((l) => PERMISSIVE.test(l.trim()));
}

const root = process.argv[2] ?? "console";
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const refused = [];
let shipped = 0;
for (const [path, info] of Object.entries(lock.packages)) {
  if (!path || info.dev) continue;
  shipped += 1;
  const name = path.replace(/.*node_modules\//, "");
  let licence = info.license ?? STATED[name];
  if (!licence) {
    try {
      licence = JSON.parse(readFileSync(join(root, path, "package.json"), "utf8")).license;
    } catch {
      licence = undefined;
    }
  }
  if (typeof licence === "object" && licence) licence = licence.type;
  if (!licence || !acceptable(String(licence))) refused.push(`${name}: ${licence ?? "no licence named"}`);
}
if (refused.length) {
  console.error(`console licences: ${refused.length} shipped package(s) without a permissive licence:\n  ${refused.join("\n  ")}`);
  process.exit(1);
}
console.log(`console licences: ${shipped} shipped packages, all permissive`);
