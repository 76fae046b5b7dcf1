import { makeWorld } from '../helpers/fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';
import { XLSX_PART_MAX_BYTES } from '../../server/src/lib/xlsx-guard';
import { multipart, xlsx, XLSX } from '../helpers/upload';
import { bombPart, countInflated, part, partsOf, tempFiles, zip } from '../helpers/zip';

/**
 * Uploads cannot hurt the host (issue 23, contract v3): an XLSX that inflates past 200 MB is 413
 * PAYLOAD_TOO_LARGE, the inflating stopped at the limit whatever the zip's headers say (counted in
 * bytes, not timed), no upload leaves a temp file, whatever its outcome, and imports are rate-limited.
 */

jest.setTimeout(120_000);

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };
let admin: { authorization: string };

beforeAll(async () => {
  ctx = await createTestContext();
  world = await makeWorld(ctx.database.db);
  const s = await ctx.signIn('bomb_sec');
  await ctx.grant(s.userId, 'secretary', world.community.id);
  secretary = s.auth;
  const a = await ctx.signIn('bomb_admin');
  await ctx.grant(a.userId, 'city_admin', null);
  admin = a.auth;
});
afterAll(async () => ctx?.close());

const WORKBOOK_HEAD = [
  part(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
  ),
  part(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  ),
  part(
    'xl/workbook.xml',
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="业主" sheetId="1" r:id="rId1"/></sheets></workbook>',
  ),
  part(
    'xl/_rels/workbook.xml.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
  ),
];

const householdsImport = (file: Buffer) => {
  const { payload, headers } = multipart(file, 'r.xlsx', XLSX);
  return ctx.app.inject({
    method: 'POST',
    url: `/api/v1/party-orgs/${world.community.id}/households/import?dryRun=true`,
    headers: { ...secretary, ...headers },
    payload,
  });
};
const directoryImport = (file: Buffer) => {
  const { payload, headers } = multipart(file, 'd.xlsx', XLSX);
  return ctx.app.inject({ method: 'POST', url: '/api/v1/imports/directory?dryRun=true', headers: { ...admin, ...headers }, payload });
};

describe('a zip bomb', () => {
  test('whose headers understate its size: 413, the inflating stopped at the limit, nothing left behind', async () => {
    const bomb = zip([...WORKBOOK_HEAD, await bombPart('xl/worksheets/sheet1.xml', 1024)], () => 2048);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const before = tempFiles();
    const rss = process.memoryUsage().rss;
    const inflated = countInflated();
    const res = await householdsImport(bomb).finally(() => inflated.restore());
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: [{ path: 'file' }] });
    // Of the 1 GB, the part's limit (150 MB) was inflated and hardly more: zlib's buffers only.
    expect(inflated.bytes()).toBeGreaterThan(XLSX_PART_MAX_BYTES);
    expect(inflated.bytes()).toBeLessThan(XLSX_PART_MAX_BYTES + 4 * 1024 * 1024);
    expect(tempFiles()).toEqual(before);
    // Nothing inflated was held: memory stays where it was, loosely (no forced GC here).
    expect(process.memoryUsage().rss - rss).toBeLessThan(250 * 1024 * 1024);
  });

  test('whose headers admit its size: 413 without inflating it', async () => {
    const bomb = zip([...WORKBOOK_HEAD, await bombPart('xl/worksheets/sheet1.xml', 260)]);
    const inflated = countInflated();
    const res = await householdsImport(bomb).finally(() => inflated.restore());
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
    // The workbook's small parts at most, never the declared 260 MB.
    expect(inflated.bytes()).toBeLessThan(64 * 1024);
  });

  test('in the directory import (streamed, within the same limits): 413, memory back', async () => {
    const bomb = zip([...WORKBOOK_HEAD, await bombPart('xl/worksheets/sheet1.xml', 300)], () => 4096);
    const rss = process.memoryUsage().rss;
    const res = await directoryImport(bomb);
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
    expect(process.memoryUsage().rss - rss).toBeLessThan(250 * 1024 * 1024);
  });
});

test('an ordinary import whose sheet comes before its shared strings leaves no temp file', async () => {
  const file = await xlsx({
    业主: [
      ['小区', '楼栋', '单元', '室号', '业主姓名', '手机号'],
      [world.estate.name, '3', '2', '301', '炸弹测试', '13900001111'],
    ],
  });
  const parts = await partsOf(file);
  // The order the red team used: sheets first, shared strings and relationships last.
  const sheetFirst = [...parts].sort((a, b) => Number(!a.name.startsWith('xl/worksheets/')) - Number(!b.name.startsWith('xl/worksheets/')));
  expect(sheetFirst[0].name).toMatch(/^xl\/worksheets\/sheet\d+\.xml$/);
  const before = tempFiles();
  const res = await householdsImport(zip(sheetFirst));
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ dryRun: true });
  expect(tempFiles()).toEqual(before);

  // A file that is not a zip at all, and a truncated one: 400, and nothing left either.
  expect((await householdsImport(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)]))).statusCode).toBe(400);
  expect((await householdsImport(zip(sheetFirst).subarray(0, 300))).statusCode).toBe(400);
  expect(tempFiles()).toEqual(before);
});

test('an upload over 20 MB is 413 PAYLOAD_TOO_LARGE', async () => {
  const res = await householdsImport(Buffer.alloc(21 * 1024 * 1024, 0x41));
  expect(res.statusCode).toBe(413);
  expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
});

test('a JSON body over its limit is 413 PAYLOAD_TOO_LARGE, not VALIDATION_FAILED', async () => {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/whistles',
    headers: { ...secretary, 'content-type': 'application/json' },
    payload: JSON.stringify({ title: 'x'.repeat(300 * 1024) }),
  });
  expect(res.statusCode).toBe(413);
  expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
});

test('imports and full reads of personal data (a member, a demand contact) are limited per user', async () => {
  const limited = await createTestContext({ env: { IMPORT_RATE_LIMIT: '2', PERSONAL_READ_RATE_LIMIT: '2' } });
  try {
    const w = await makeWorld(limited.database.db);
    const s = await limited.signIn('bomb_limited_sec');
    await limited.grant(s.userId, 'secretary', w.community.id);
    const file = await xlsx({ 业主: [['小区', '楼栋', '单元', '室号', '业主姓名', '手机号']] });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { payload, headers } = multipart(file, 'r.xlsx', XLSX);
      const res = await limited.app.inject({
        method: 'POST',
        url: `/api/v1/party-orgs/${w.community.id}/households/import?dryRun=true`,
        headers: { ...s.auth, ...headers },
        payload,
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([200, 200, 429]);

    const reads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await limited.app.inject({
        method: 'POST',
        url: `/api/v1/party-orgs/${w.community.id}/members/00000000-0000-4000-8000-000000000000/personal-data`,
        headers: s.auth,
        payload: { reason: '电话联系核实报到信息' },
      });
      reads.push(res.statusCode);
    }
    expect(reads.slice(2)).toEqual([429]);
    expect(reads.slice(0, 2)).not.toContain(429);
    // A demand's contact is read on the same count: the third read of the minute was spent above.
    const contact = await limited.app.inject({
      method: 'POST',
      url: `/api/v1/party-orgs/${w.community.id}/demands/00000000-0000-4000-8000-000000000000/personal-data`,
      headers: s.auth,
      payload: { reason: '电话联系点单居民' },
    });
    expect(contact.statusCode).toBe(429);
    expect(contact.json().code).toBe('RATE_LIMITED');
  } finally {
    await limited.close();
  }
});
