import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { XLSX_PART_MAX_BYTES } from '../../server/src/lib/xlsx-guard';
import { createTestContext, type TestContext } from '../helpers/test-app';
import { multipart, xlsx, XLSX } from '../helpers/upload';
import { bombPart, countInflated, part, partsOf, tempFiles, zip } from '../helpers/zip';

/**
 * The directory import streams its workbook (issue 23): a workbook at the row limit imports whole,
 * in one transaction, whatever order its sheets come in; hostile files are refused in the
 * contract's shape (400 IMPORT_INVALID, 413 PAYLOAD_TOO_LARGE past the inflate limits), never a
 * 5xx, with nothing written and no temp file left.
 */

jest.setTimeout(300_000);

let ctx: TestContext;
let admin: { authorization: string };

beforeAll(async () => {
  ctx = await createTestContext();
  const a = await ctx.signIn('stream_admin');
  await ctx.grant(a.userId, 'city_admin', null);
  admin = a.auth;
});
afterAll(async () => ctx?.close());

async function upload(file: Buffer, dryRun: boolean) {
  const { payload, headers } = multipart(file, 'directory.xlsx', XLSX);
  return ctx.app.inject({ method: 'POST', url: `/api/v1/imports/directory?dryRun=${dryRun}`, headers: { ...admin, ...headers }, payload });
}

async function counts() {
  const { rows } = await ctx.database.pool.query(`
    select (select count(*)::int from districts) as districts, (select count(*)::int from party_orgs) as orgs,
           (select count(*)::int from estates) as estates, (select count(*)::int from audit_log) as audits`);
  return rows[0] as { districts: number; orgs: number; estates: number; audits: number };
}

/** A workbook written row by row with exceljs's streaming writer (shared strings, which it writes after the sheets). */
async function streamedWorkbook(sheets: Array<[string, number, (i: number) => Array<string | number>]>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => out.on('end', resolve));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true, useStyles: false });
  for (const [name, rows, row] of sheets) {
    const ws = wb.addWorksheet(name);
    for (let i = 0; i < rows; i++) ws.addRow(row(i)).commit();
    ws.commit();
  }
  await wb.commit();
  await ended;
  return Buffer.concat(chunks);
}

const DISTRICTS = 20;
const COMMUNITIES = 400;
const UNITS = 400;
const ESTATE_ROWS = 19_999; // with the header, the sheet's 20,000 rows: the limit

test('a workbook at the row limit imports whole, its sheets worked in a fixed order whatever the file says, and a sheet not read is not limited', async () => {
  const file = await streamedWorkbook([
    // 小区 first and the districts last: estates need communities, communities need districts.
    [
      '小区',
      ESTATE_ROWS + 1,
      (i) =>
        i === 0 ? ['社区党组织', '名称'] : i === ESTATE_ROWS ? ['不存在社区', '孤儿小区'] : [`流社区${i % COMMUNITIES}`, `流小区${i}`],
    ],
    ['社区党组织', COMMUNITIES + 1, (i) => (i === 0 ? ['名称', '板块'] : [`流社区${i - 1}`, `流板块${(i - 1) % DISTRICTS}`])],
    ['单位党组织', UNITS + 1, (i) => (i === 0 ? ['名称', '板块'] : [`流单位${i - 1}`, `流板块${(i - 1) % DISTRICTS}`])],
    // A sheet the import does not read: past the row limit and wide, and never looked at.
    ['说明', 30_000, (i) => [`第${i}行`, i, '本表不导入', 'x'.repeat(20)]],
    ['板块', DISTRICTS + 1, (i) => (i === 0 ? ['名称'] : [`流板块${i - 1}`])],
  ]);
  const before = await counts();
  const dry = await upload(file, true);
  expect(dry.statusCode).toBe(200);
  const created = DISTRICTS + COMMUNITIES + UNITS + ESTATE_ROWS - 1;
  expect(dry.json()).toEqual({
    dryRun: true,
    created,
    updated: 0,
    rejected: [{ sheet: '小区', row: ESTATE_ROWS + 1, reason: '社区党组织「不存在社区」不存在' }],
  });
  expect(await counts()).toEqual(before);

  const rss = process.memoryUsage().rss;
  const res = await upload(file, false);
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ dryRun: false, created, updated: 0 });
  // Loosely (no forced GC): the workbook was not held as exceljs's model of it.
  expect(process.memoryUsage().rss - rss).toBeLessThan(300 * 1024 * 1024);
  const after = await counts();
  expect(after).toEqual({
    districts: before.districts + DISTRICTS,
    orgs: before.orgs + COMMUNITIES + UNITS,
    estates: before.estates + ESTATE_ROWS - 1,
    audits: before.audits + 1,
  });
  const { rows } = await ctx.database.pool.query(
    `select e.name as estate, po.name as community, d.name as district
       from estates e join party_orgs po on po.id = e.community_org_id join districts d on d.id = po.district_id
      where e.name = '流小区12345'`,
  );
  expect(rows).toEqual([
    { estate: '流小区12345', community: `流社区${12345 % COMMUNITIES}`, district: `流板块${(12345 % COMMUNITIES) % DISTRICTS}` },
  ]);
});

/** The template's four sheets, filled, as exceljs writes them (sheet1.xml … sheet4.xml in this order). */
const TEMPLATE = () =>
  xlsx({
    板块: [['名称'], ['敌意街道']],
    社区党组织: [
      ['名称', '板块'],
      ['敌意社区', '敌意街道'],
    ],
    小区: [['社区党组织', '名称']],
    单位党组织: [['名称', '板块']],
  });

/** The template with one part's XML replaced. */
async function withPart(name: string, xml: string): Promise<Buffer> {
  const parts = await partsOf(await TEMPLATE());
  expect(parts.map((p) => p.name)).toContain(name);
  return zip(parts.map((p) => (p.name === name ? part(name, xml) : p)));
}

const sheetXml = (rows: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`;
const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

describe('hostile workbooks: the contract shape, never a 5xx, nothing written, no temp file', () => {
  let before: Awaited<ReturnType<typeof counts>>;
  let temp: string[];
  beforeAll(async () => {
    before = await counts();
    temp = tempFiles();
  });
  afterAll(async () => {
    expect(await counts()).toEqual(before);
    expect(tempFiles()).toEqual(temp);
  });

  test('a huge sheet (a zip bomb in one of the four): 413 PAYLOAD_TOO_LARGE stopped at the limit', async () => {
    const parts = await partsOf(await TEMPLATE());
    const bomb = await bombPart('xl/worksheets/sheet3.xml', 400);
    const inflated = countInflated();
    const res = await upload(
      zip(
        parts.map((p) => (p.name === bomb.name ? bomb : p)),
        (p) => (p === bomb ? 1000 : p.size),
      ),
      false,
    ).finally(() => inflated.restore());
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: [{ path: 'file' }] });
    // Stopped at the part's limit (150 MB) of the 400 MB: counted, not timed.
    expect(inflated.bytes()).toBeLessThan(XLSX_PART_MAX_BYTES + 4 * 1024 * 1024);
  });

  test('shared strings past their own limit (they are held whole while read): 413', async () => {
    const parts = await partsOf(await TEMPLATE());
    const bomb = await bombPart(
      'xl/sharedStrings.xml',
      40,
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>',
      '</t></si></sst>',
    );
    const res = await upload(
      zip(
        parts.map((p) => (p.name === bomb.name ? bomb : p)),
        (p) => (p === bomb ? 100 : p.size),
      ),
      false,
    );
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('a sheet past the row limit, a row numbered 0, a part that is not XML, a workbook without relationships: 400 IMPORT_INVALID', async () => {
    const cases: Array<[Buffer, string | RegExp]> = [
      [
        await withPart(
          'xl/worksheets/sheet1.xml',
          sheetXml(`<row r="1">${inline('A1', '名称')}</row><row r="20001">${inline('A20001', '远方')}</row>`),
        ),
        '文件超过 20000 行，请分批导入',
      ],
      [await withPart('xl/worksheets/sheet2.xml', sheetXml(`<row r="0">${inline('A1', '名称')}</row>`)), /./],
      [await withPart('xl/worksheets/sheet2.xml', '\u0000\u0001 not xml <<<< >>>> &&&'), /./],
      [zip((await partsOf(await TEMPLATE())).filter((p) => p.name !== 'xl/_rels/workbook.xml.rels')), /./],
      [Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]), /./],
    ];
    for (const [file, message] of cases) {
      const res = await upload(file, false);
      expect({ status: res.statusCode, code: res.json().code }).toEqual({ status: 400, code: 'IMPORT_INVALID' });
      expect(res.json().message).toMatch(message);
      expect(res.json().details[0].path).toBe('file');
    }
  });

  test('wrong sheet names and a sheet without its header: 400 naming what is missing', async () => {
    const renamed = await xlsx({
      板块a: [['名称']],
      社区党组织: [['名称', '板块']],
      小区: [['社区党组织', '名称']],
      单位党组织: [['名称', '板块']],
    });
    const res = await upload(renamed, false);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'IMPORT_INVALID', message: '缺少工作表「板块」' });
    const headless = await xlsx({
      板块: [['名称'], ['某街道']],
      社区党组织: [['某社区', '某街道']],
      小区: [['社区党组织', '名称']],
      单位党组织: [['名称', '板块']],
    });
    const res2 = await upload(headless, false);
    expect(res2.statusCode).toBe(400);
    expect(res2.json()).toMatchObject({ code: 'IMPORT_INVALID', message: '工作表「社区党组织」缺少表头：名称、板块' });
  });

  test('formulas read as their result (none: blank), other types as the text a person sees', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('板块').addRows([
      ['名称'],
      [{ formula: 'CONCAT("公式","街道")', result: '公式街道' }],
      [{ formula: 'A2' }],
      [2024],
      [true],
      [new Date('2024-05-01T00:00:00Z')],
      [{ error: '#REF!' }],
      [{ richText: [{ text: '富文本' }, { text: '街道' }] }],
      ['=HYPERLINK("http://evil","点我")'],
    ]);
    wb.addWorksheet('社区党组织').addRows([
      ['名称', '板块'],
      [{ formula: 'A1&"社区"', result: '公式社区' }, '公式街道'],
    ]);
    wb.addWorksheet('小区').addRows([['社区党组织', '名称']]);
    wb.addWorksheet('单位党组织').addRows([['名称', '板块']]);
    const res = await upload(Buffer.from(await wb.xlsx.writeBuffer()), true);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      dryRun: true,
      // 公式街道, 2024, TRUE, the date (its serial number), 富文本街道, the =HYPERLINK text (kept as text,
      // never evaluated); 公式社区. A formula without a result and an error value read blank: blank rows are skipped.
      created: 7,
      updated: 0,
      rejected: [],
    });
  });

  test('merged cells read as their top-left value; a merge over the whole sheet is no 5xx', async () => {
    // A crafted merge from A2 to the sheet's last cell (exceljs's own writer would build every cell of it).
    const whole = await withPart(
      'xl/worksheets/sheet4.xml',
      sheetXml(`<row r="1">${inline('A1', '名称')}${inline('B1', '板块')}</row><row r="2">${inline('A2', '全表合并单位')}</row>`).replace(
        '</sheetData>',
        '</sheetData><mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells>',
      ),
    );
    const res = await upload(whole, true);
    expect(res.statusCode).toBeLessThan(500);
    if (res.statusCode !== 200) expect(res.json()).toMatchObject({ code: 'IMPORT_INVALID', details: [{ path: 'file' }] });
    const vertical = await xlsx(
      {
        板块: [['名称'], ['合并街道']],
        社区党组织: [
          ['名称', '板块'],
          ['合并一社区', '合并街道'],
          ['合并二社区', null],
          ['合并三社区', null],
        ],
        小区: [['社区党组织', '名称']],
        单位党组织: [['名称', '板块']],
      },
      { merges: { 社区党组织: ['B2:B4'] } },
    );
    expect((await upload(vertical, true)).json()).toEqual({ dryRun: true, created: 4, updated: 0, rejected: [] });
  });
});
