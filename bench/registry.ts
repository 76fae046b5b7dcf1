import ExcelJS from 'exceljs';
import type pg from 'pg';

const API = '/api/v1';
export const BENCH_ESTATE = '压测小区';

/** A registry workbook of `rows` distinct homes in one estate, written as an office would (XLSX, Chinese headers). */
async function registryWorkbook(estate: string, rows: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('业主信息');
  ws.addRow(['小区', '楼栋', '单元', '室号', '业主姓名', '手机号']);
  for (let i = 0; i < rows; i++) {
    const building = Math.floor(i / 400) + 1;
    const unit = Math.floor((i % 400) / 100) + 1;
    const room = `${Math.floor((i % 100) / 4) + 1}0${(i % 4) + 1}`;
    ws.addRow([estate, `${building}栋`, `${unit}单元`, room, `业主${i}`, `139${String(i).padStart(8, '0')}`]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * Uploads a `rows`-row registry to the running server as a secretary would (multipart over
 * HTTP) and times the import, first into an empty registry and then again (every row unchanged).
 */
export async function registryImportBench(opts: {
  port: number;
  token: string;
  communityOrgId: string;
  pool: pg.Pool;
  rows: number;
  log: (m: string) => void;
}) {
  const { pool, communityOrgId } = opts;
  await pool.query(`insert into estates (community_org_id, name) values ($1, $2) on conflict do nothing`, [communityOrgId, BENCH_ESTATE]);
  await pool.query(`delete from households where estate_id = (select id from estates where community_org_id = $1 and name = $2)`, [
    communityOrgId,
    BENCH_ESTATE,
  ]);
  // The previous run's homes leave dead rows and index entries behind: vacuum them, as autovacuum
  // would have long before a real community's first import.
  await pool.query('vacuum (analyze) households');
  const file = await registryWorkbook(BENCH_ESTATE, opts.rows);
  const upload = async () => {
    const form = new FormData();
    form.append(
      'file',
      new Blob([new Uint8Array(file)], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }),
      'registry.xlsx',
    );
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${opts.port}${API}/party-orgs/${communityOrgId}/households/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.token}` },
      body: form,
    });
    const seconds = (performance.now() - started) / 1000;
    const body = (await res.json()) as { imported?: number; updated?: number; unchanged?: number; rejected?: unknown[]; code?: string };
    if (res.status !== 200) throw new Error(`registry import failed: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return {
      seconds: Math.round(seconds * 100) / 100,
      imported: body.imported!,
      updated: body.updated!,
      unchanged: body.unchanged!,
      rejected: body.rejected!.length,
    };
  };
  opts.log(`registry import: ${opts.rows} rows, ${(file.length / 1048576).toFixed(1)} MB XLSX ...`);
  const first = await upload();
  opts.log(`  first import ${first.seconds} s (${first.imported} imported, ${first.rejected} rejected)`);
  const again = await upload();
  opts.log(`  re-import ${again.seconds} s (${again.unchanged} unchanged)`);
  return { rows: opts.rows, fileMb: Math.round((file.length / 1048576) * 10) / 10, first, again };
}

export type RegistryImportFigures = Awaited<ReturnType<typeof registryImportBench>>;
