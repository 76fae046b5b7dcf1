import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// pdf-parse (pdf.js) starts its worker with a dynamic import, which jest's VM sandbox refuses:
// the text is extracted by the same library in a plain Node process.
const EXTRACT = `
const { PDFParse } = require('pdf-parse');
const data = new Uint8Array(require('node:fs').readFileSync(process.argv[1]));
const parser = new PDFParse({ data });
parser.getText().then(async (r) => { process.stdout.write(JSON.stringify({ text: r.text, pages: r.total })); await parser.destroy(); });
`;

/** The text a PDF reader extracts from the document (pdf-parse), and its page count. */
export async function pdfText(pdf: Buffer): Promise<{ text: string; pages: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pioneer-pdf-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const { stdout } = await run(process.execPath, ['-e', EXTRACT, file], {
      cwd: path.join(__dirname, '..', '..'),
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout) as { text: string; pages: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
