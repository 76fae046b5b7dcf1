import { createRequire } from 'node:module';

/**
 * Packages loaded on first use instead of at start-up. exceljs (655 files), pdfkit (with the
 * Unicode tables fontkit inflates) and ioredis were about 40% of the server's module loading, a
 * few seconds of a newcomer's first start on a busy 2-core machine, for features (exports,
 * imports, certificates, REDIS_URL) no start needs.
 */
const load = createRequire(__filename);

let excel: typeof import('exceljs') | undefined;
let pdf: typeof import('pdfkit') | undefined;
let redis: typeof import('ioredis') | undefined;

export const exceljs = (): typeof import('exceljs') => (excel ??= load('exceljs'));
export const pdfkit = (): typeof import('pdfkit') => (pdf ??= load('pdfkit'));
export const ioredis = (): typeof import('ioredis') => (redis ??= load('ioredis'));
