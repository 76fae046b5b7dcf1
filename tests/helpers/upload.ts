import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';

/** A multipart/form-data body with one file part, as a browser or wx.uploadFile sends it. */
export function multipart(file: Buffer, filename: string, contentType = 'application/octet-stream') {
  const boundary = `----pioneer${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { payload: Buffer.concat([head, file, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An XLSX workbook built with exceljs: each sheet is a list of rows (a row may be empty). */
export async function xlsx(
  sheets: Record<string, Array<Array<string | number | null>>>,
  opts: { merges?: Record<string, string[]> } = {},
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    rows.forEach((r, i) => {
      const row = ws.getRow(i + 1);
      r.forEach((v, j) => {
        if (v !== null) row.getCell(j + 1).value = v;
      });
      row.commit();
    });
    for (const range of opts.merges?.[name] ?? []) ws.mergeCells(range);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Every sheet of an XLSX answer as rows of cell values (1-based columns dropped to 0-based). */
export async function readXlsx(buf: Buffer): Promise<Map<string, unknown[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const out = new Map<string, unknown[][]>();
  for (const ws of wb.worksheets) {
    const rows: unknown[][] = [];
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      rows[n - 1] = Array.from((row.values as unknown[]).slice(1), (v) => v ?? null);
    });
    out.set(
      ws.name,
      Array.from(rows, (r) => r ?? []),
    );
  }
  return out;
}
