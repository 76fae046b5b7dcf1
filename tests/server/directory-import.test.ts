import { makeCommunity, makeDistrict, makeEstate } from '../helpers/fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';
import { multipart, readXlsx, xlsx, XLSX } from '../helpers/upload';

let ctx: TestContext;
let admin: { authorization: string };
let districtAdmin: { authorization: string };

beforeAll(async () => {
  ctx = await createTestContext();
  const a = await ctx.signIn('dir_admin');
  await ctx.grant(a.userId, 'city_admin', null);
  admin = a.auth;
  const district = await makeDistrict(ctx.database.db, '虞山街道');
  const community = await makeCommunity(ctx.database.db, district.id, '清和坊社区');
  await makeEstate(ctx.database.db, community.id, '清和苑');
  const d = await ctx.signIn('dir_district');
  await ctx.grant(d.userId, 'district_admin', district.id);
  districtAdmin = d.auth;
});
afterAll(async () => ctx.close());

async function upload(file: Buffer, dryRun: boolean, auth = admin) {
  const { payload, headers } = multipart(file, 'directory.xlsx', XLSX);
  return ctx.app.inject({ method: 'POST', url: `/api/v1/imports/directory?dryRun=${dryRun}`, headers: { ...auth, ...headers }, payload });
}

async function directoryState() {
  const { rows } = await ctx.database.pool.query(`
    select (select json_agg(name order by name) from districts) as districts,
           (select json_agg(json_build_array(kind, po.name, d.name, po.register_code is not null) order by kind, po.name)
              from party_orgs po join districts d on d.id = po.district_id) as orgs,
           (select json_agg(json_build_array(po.name, e.name) order by po.name, e.name)
              from estates e join party_orgs po on po.id = e.community_org_id) as estates,
           (select count(*)::int from audit_log) as audits`);
  return rows[0];
}

/** A workbook as an office would fill the template: a title row on one sheet, blank rows, and some mistakes. */
async function cityWorkbook() {
  return xlsx(
    {
      板块: [['名称'], ['虞山街道'], ['常福街道'], [null], ['琴川街道'], ['常福街道']],
      社区党组织: [
        ['常熟市社区党组织名录', null],
        ['名称', '板块'],
        ['清和坊社区', '常福街道'], // row 3: moves an existing community: updated
        ['琴湖社区', '琴川街道'], // row 4: created
        ['新颜社区', '不存在街道'], // row 5: no such district
        ['X', '琴川街道'], // row 6: name too short
        ['琴湖社区', '琴川街道'], // row 7: duplicate of row 4
      ],
      小区: [
        ['社区党组织', '名称'],
        ['清和坊社区', '清和苑'], // exists: nothing to do
        ['琴湖社区', '琴湖一村'], // created (community created in this file)
        ['新颜社区', '新颜花园'], // row 4: its community was rejected
        ['琴湖社区', ''], // row 5: empty estate name
      ],
      单位党组织: [
        ['名称', '板块'],
        ['市住建局党委', '虞山街道'], // created
        ['市税务局党委', '常福街道'], // created
        ['市医院党委', null], // row 4: no district
      ],
    },
    { merges: { 社区党组织: ['A1:B1'] } },
  );
}

describe('directory import (city admin)', () => {
  it('a dry run reports every bad row with its sheet and row number and writes nothing', async () => {
    const before = await directoryState();
    const res = await upload(await cityWorkbook(), true);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      dryRun: true,
      // districts 常福, 琴川; communities 琴湖; estates 琴湖一村; units 住建局, 税务局
      created: 6,
      updated: 1,
      rejected: [
        { sheet: '板块', row: 6, reason: '与第 3 行重复' },
        { sheet: '社区党组织', row: 5, reason: '板块「不存在街道」不存在' },
        { sheet: '社区党组织', row: 6, reason: '党组织名称长度应为 2–60 个字' },
        { sheet: '社区党组织', row: 7, reason: '与第 4 行重复' },
        { sheet: '小区', row: 4, reason: '社区党组织「新颜社区」不存在' },
        { sheet: '小区', row: 5, reason: '小区名称为空' },
        { sheet: '单位党组织', row: 4, reason: '板块为空' },
      ],
    });
    expect(await directoryState()).toEqual(before);
  });

  it('the real import writes what the dry run announced, in one go, and a second run changes nothing', async () => {
    const res = await upload(await cityWorkbook(), false);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ dryRun: false, created: 6, updated: 1 });
    expect(res.json().rejected).toHaveLength(7);
    const state = await directoryState();
    expect(state.districts).toEqual(['常福街道', '琴川街道', '虞山街道'].sort());
    expect(state.orgs).toEqual(
      [
        ['community', '清和坊社区', '常福街道', true],
        ['community', '琴湖社区', '琴川街道', true],
        ['unit', '市住建局党委', '虞山街道', false],
        ['unit', '市税务局党委', '常福街道', false],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]))),
    );
    expect(state.estates).toEqual(
      [
        ['清和坊社区', '清和苑'],
        ['琴湖社区', '琴湖一村'],
      ].sort((a, b) => a[0].localeCompare(b[0])),
    );
    const again = await upload(await cityWorkbook(), false);
    expect(again.json()).toMatchObject({ created: 0, updated: 0 });
    const after = await directoryState();
    expect({ ...after, audits: 0 }).toEqual({ ...state, audits: 0 });
  });

  it('keeps each real import with its rejected rows, newest first, for the city admin (the weapp shows them)', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/imports/directory/history', headers: admin });
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    // The two real imports of the test before; its dry runs left no record.
    expect(items).toHaveLength(2);
    expect(items[1]).toMatchObject({ created: 6, updated: 1, rejectedTotal: 7 });
    expect(items[1].rejected).toHaveLength(7);
    expect(items[0]).toMatchObject({ created: 0, updated: 0, rejectedTotal: 7 });
    // Every rejected row with its sheet, row and reason: the same as a dry run of the same file now answers.
    const dry = (await upload(await cityWorkbook(), true)).json();
    expect(items[0].rejected).toEqual(dry.rejected);
    expect(dry.rejected[0]).toEqual({ sheet: expect.any(String), row: expect.any(Number), reason: expect.any(String) });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/imports/directory/history', headers: admin })).json().items).toHaveLength(
      2,
    );
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/imports/directory/history', headers: districtAdmin })).statusCode).toBe(
      403,
    );
  });

  it('refuses a workbook without the four sheets, and anything but XLSX', async () => {
    const before = await directoryState();
    const missing = await upload(await xlsx({ 板块: [['名称'], ['新区']] }), false);
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'IMPORT_INVALID', message: '缺少工作表「社区党组织」' });
    const csv = await upload(Buffer.from('名称\n新区\n'), false);
    expect(csv.json().code).toBe('IMPORT_INVALID');
    expect(await directoryState()).toEqual(before);
  });

  it('is for the city admin; the role is checked before the body is read', async () => {
    const res = await upload(await cityWorkbook(), true, districtAdmin);
    expect(res.statusCode).toBe(403);
    expect(
      (await ctx.app.inject({ method: 'POST', url: '/api/v1/imports/directory?dryRun=maybe', headers: districtAdmin })).statusCode,
    ).toBe(403);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/imports/directory?dryRun=maybe', headers: admin })).statusCode).toBe(400);
  });

  it('serves the template: four sheets with their headers', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/imports/directory/template.xlsx', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain("filename*=UTF-8''");
    const sheets = await readXlsx(res.rawPayload);
    expect([...sheets.keys()]).toEqual(['板块', '社区党组织', '小区', '单位党组织']);
    expect(sheets.get('小区')![0]).toEqual(['社区党组织', '名称']);
    // The template filled in by hand imports cleanly.
    const filled = await xlsx({
      板块: [['名称'], ['海虞镇']],
      社区党组织: [
        ['名称', '板块'],
        ['海虞社区', '海虞镇'],
      ],
      小区: [
        ['社区党组织', '名称'],
        ['海虞社区', '海虞花园'],
      ],
      单位党组织: [['名称', '板块']],
    });
    expect((await upload(filled, false)).json()).toEqual({ created: 3, updated: 0, rejected: [], dryRun: false });
  });
});
