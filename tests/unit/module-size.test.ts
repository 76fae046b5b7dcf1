import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A module file over ~400 lines is a room that has grown too big: split it, or say in its
 * header (the file's doc comments) why it reads better whole, with the words "over 400 lines".
 */
const MAX_LINES = 400;
const MODULES = path.resolve(__dirname, '../../server/src/modules');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('module files', () => {
  it(`stay under ${MAX_LINES} lines unless their header says why`, () => {
    const tooLong = sources(MODULES).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      if (lines <= MAX_LINES || /over 400 lines/i.test(text)) return [];
      return [`${path.relative(MODULES, file)}: ${lines} lines`];
    });
    expect(tooLong).toEqual([]);
  });
});
