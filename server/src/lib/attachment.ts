/** Downloads: the spreadsheet type and the `content-disposition` of a file sent as an attachment. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** `filename*` carries the Chinese name; `filename` an ASCII one for old clients. */
export const attachment = (ascii: string, name: string) => `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
