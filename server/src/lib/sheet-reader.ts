import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { AppError } from './errors';
import { exceljs } from './lazy-packages';
import { guardXlsx } from './xlsx-guard';

/** One row of a sheet as text cells, numbered as Excel (or a text editor) shows it: 1-based. */
export interface SheetRow {
  row: number;
  cells: string[];
}

export const unreadable = (reason: string, message?: string) =>
  new AppError('IMPORT_INVALID', message, { details: [{ path: 'file', reason }] });

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
export const isXlsx = (buf: Buffer) => buf.subarray(0, 4).equals(ZIP_MAGIC);

/**
 * Text of a CSV in whatever encoding an office saved it: UTF-8 (with or without BOM), UTF-16
 * with BOM (Excel's "Unicode text"), else GBK/GB18030 (Excel on a Chinese Windows).
 */
export function decodeCsv(buf: Buffer): string {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  if (buf[0] === 0xff && buf[1] === 0xfe) return iconv.decode(buf.subarray(2), 'utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) return iconv.decode(buf.subarray(2), 'utf16be');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return iconv.decode(buf, 'gb18030');
  }
}

/** Excel's values (numbers, dates, rich text, formulas, hyperlinks) as the text a person sees. */
export function cellText(value: ExcelJS.CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText))
      return value.richText
        .map((r) => r.text)
        .join('')
        .trim();
    // A formula reads as its cached result; one saved without a result (never calculated) is blank, not "[object Object]".
    if ('result' in value || 'formula' in value || 'sharedFormula' in value)
      return cellText((value as { result?: ExcelJS.CellValue }).result);
    if ('text' in value) return cellText((value as { text: ExcelJS.CellValue }).text);
    if ('error' in value) return '';
  }
  return String(value).trim();
}

function rowCells(row: ExcelJS.Row): string[] {
  const values = row.values as ExcelJS.CellValue[];
  const cells: string[] = [];
  // row.values is 1-based: index 0 is always empty.
  for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
  return cells;
}

export const isBlank = (cells: string[]) => cells.every((c) => c === '');

/**
 * Comma, or tab for Excel's "Unicode text" (UTF-16, cells separated by tabs): whichever the first
 * lines hold more of. One file has one separator, so a tab inside a comma-separated cell stays
 * part of the cell.
 */
function delimiterOf(text: string): ',' | '\t' {
  const head = text.slice(0, 16_384);
  const count = (ch: string) => head.split(ch).length - 1;
  return count('\t') > count(',') ? '\t' : ',';
}

/** Rows of a CSV file; blank lines come through as blank rows so numbering stays the file's. */
export function* csvRows(buf: Buffer, maxRows: number): Generator<SheetRow> {
  let records: string[][];
  try {
    const text = decodeCsv(buf);
    records = parseCsv(text, {
      delimiter: delimiterOf(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      bom: true,
      to: maxRows + 1,
    }) as string[][];
  } catch (e) {
    throw unreadable(`csv: ${(e as Error).message.slice(0, 200)}`);
  }
  if (records.length > maxRows) throw unreadable(`more than ${maxRows} rows`, `文件超过 ${maxRows} 行，请分批导入`);
  for (let i = 0; i < records.length; i++) yield { row: i + 1, cells: records[i].map((c) => (c ?? '').trim()) };
}

/**
 * Rows of the first worksheet of an XLSX file, read as a stream (a 100,000-row registry is not
 * held as a workbook in memory). The file is inflated once first within the contract's limits
 * (guardXlsx: 413 past 200 MB) and re-packed so the reader writes no temp file, even when it
 * stops after the first sheet or on an error.
 */
export async function* xlsxFirstSheetRows(buf: Buffer, maxRows: number): AsyncGenerator<SheetRow> {
  const packed = await guardXlsx(buf);
  const reader = new (exceljs().stream.xlsx.WorkbookReader)(Readable.from([packed]), {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  try {
    for await (const worksheet of reader) {
      for await (const row of worksheet as unknown as AsyncIterable<ExcelJS.Row>) {
        if (row.number > maxRows) throw unreadable(`more than ${maxRows} rows`, `文件超过 ${maxRows} 行，请分批导入`);
        yield { row: row.number, cells: rowCells(row) };
      }
      return;
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw unreadable(`xlsx: ${(e as Error).message.slice(0, 200)}`);
  }
}

/**
 * Finds the header row among the first rows (a title row, merged across the columns, often sits
 * above it) and maps each wanted column to its index. Names compare without spaces, and a
 * header merged over two cells counts once. A two-level header (a group name such as 房屋信息
 * merged over 楼栋、单元、室号 in the row below, the other names merged down over both rows)
 * reads as one row: each column's lower name, or its upper one where the lower cell is empty.
 */
export function findHeader<K extends string>(
  rows: SheetRow[],
  names: Record<K, readonly string[]>,
  required: readonly K[],
): { headerRow: number; index: Record<K, number> } | null {
  const norm = (s: string) => s.replace(/\s+/g, '').replace(/[*＊]/g, '').toLowerCase();
  const columns = (cells: string[]) => {
    const index = {} as Record<K, number>;
    cells.forEach((cell, i) => {
      const c = norm(cell);
      for (const key of Object.keys(names) as K[]) {
        if (index[key] === undefined && names[key].some((n) => norm(n) === c)) index[key] = i;
      }
    });
    return required.every((k) => index[k] !== undefined) ? index : null;
  };
  const first = rows.slice(0, 10);
  for (const r of first) {
    const index = columns(r.cells);
    if (index) return { headerRow: r.row, index };
  }
  for (let i = 0; i + 1 < first.length; i++) {
    const [upper, lower] = [first[i], first[i + 1]];
    if (lower.row !== upper.row + 1) continue;
    const width = Math.max(upper.cells.length, lower.cells.length);
    const index = columns(Array.from({ length: width }, (_, c) => lower.cells[c] || upper.cells[c] || ''));
    if (index) return { headerRow: lower.row, index };
  }
  return null;
}
