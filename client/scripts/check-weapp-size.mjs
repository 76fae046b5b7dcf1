// WeChat refuses a main package over 2 MB; we hold ourselves to 1.5 MB to leave headroom. Staff
// pages live in subpackages (app.json `subPackages`), which WeChat downloads on first use; each
// has its own 2 MB limit, and the whole app 20 MB.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN_LIMIT = 1.5 * 1024 * 1024;
const SUBPACKAGE_LIMIT = 2 * 1024 * 1024;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/weapp');

function sum(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) total += sum(full);
    // Source maps and licence notes are not uploaded with the package.
    else if (!/\.(map|LICENSE\.txt)$/.test(entry.name)) total += statSync(full).size;
  }
  return total;
}

let total;
let app;
try {
  total = sum(root);
  app = JSON.parse(readFileSync(join(root, 'app.json'), 'utf8'));
} catch {
  console.error(`No build at ${root}: run npm run build:weapp first.`);
  process.exit(2);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const subpackages = (app.subPackages ?? app.subpackages ?? []).map((p) => ({
  root: p.root.replace(/\/+$/, ''),
  size: sum(join(root, p.root)),
}));
const main = total - subpackages.reduce((n, p) => n + p.size, 0);

console.log(`weapp main package: ${kb(main)} (limit ${kb(MAIN_LIMIT)})`);
for (const p of subpackages) console.log(`weapp subpackage ${p.root}/: ${kb(p.size)} (limit ${kb(SUBPACKAGE_LIMIT)})`);
console.log(`weapp total: ${kb(total)}`);
let failed = false;
if (main > MAIN_LIMIT) {
  console.error('weapp main package is over the 1.5 MB budget');
  failed = true;
}
for (const p of subpackages.filter((s) => s.size > SUBPACKAGE_LIMIT)) {
  console.error(`weapp subpackage ${p.root}/ is over WeChat's 2 MB limit`);
  failed = true;
}
process.exit(failed ? 1 : 0);
