/**
 * npm run verify-draw -- <url-or-file>
 *
 * Recomputes a fair draw from its public answer (`GET /api/v1/tasks/:id/draw`, fetched from the
 * URL with `PIONEER_TOKEN` as bearer token if set, or read from a JSON file): SHA-256 of the seed
 * against the commitment published with the post, the entries root of the listed tickets, and
 * every ticket's rank and result. Exits 0 when everything holds, 1 when something does not.
 */
import { readFile } from 'node:fs/promises';
import { verifyDraw, type PublishedDraw } from '../src/modules/waitlist/draw';

async function load(source: string): Promise<PublishedDraw> {
  if (/^https?:\/\//.test(source)) {
    const token = process.env.PIONEER_TOKEN;
    const res = await fetch(source, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) throw new Error(`${source} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return (await res.json()) as PublishedDraw;
  }
  return JSON.parse(await readFile(source, 'utf8')) as PublishedDraw;
}

async function main() {
  const source = process.argv[2];
  if (!source) {
    console.error('usage: npm run verify-draw -- <url-or-file>');
    process.exit(2);
  }
  const draw = await load(source);
  const { holds, problems } = verifyDraw(draw);
  if (holds) {
    console.log(
      `holds: the seed matches its commitment, the root matches the ${draw.tickets.length} tickets listed, and every rank and result recomputes`,
    );
    return;
  }
  console.log('does not hold:');
  for (const p of problems) console.log(`  - ${p}`);
  process.exitCode = 1;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
