// WeChat refuses a main package over 2 MB; we hold ourselves to 1.5 MB to leave headroom.
import { readdirSync, statSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIMIT = 1.5 * 1024 * 1024;
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

let size;
try {
  size = sum(root);
} catch {
  console.error(`No build at ${root}: run npm run build:weapp first.`);
  process.exit(2);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`weapp main package: ${kb(size)} (limit ${kb(LIMIT)})`);
if (size > LIMIT) {
  console.error('weapp main package is over the 1.5 MB budget');
  process.exit(1);
}
