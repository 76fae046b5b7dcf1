// drizzle-kit lives at the root but npm nests drizzle-orm under server/ (its optional
// react-native peers conflict with React 18 at the root), and drizzle-kit must import it.
// Link it in for the duration of the generate step only.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const link = path.join(root, 'node_modules', 'drizzle-orm');
const linked = !existsSync(link);
if (linked) symlinkSync(path.join(root, 'server', 'node_modules', 'drizzle-orm'), link, 'dir');
try {
  execFileSync(path.join(root, 'node_modules', '.bin', 'drizzle-kit'), ['generate', ...process.argv.slice(2)], {
    cwd: path.join(root, 'server'),
    stdio: 'inherit',
  });
} finally {
  if (linked) rmSync(link);
}
