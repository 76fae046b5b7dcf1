import { readFileSync } from 'node:fs';
import QRCode from 'qrcode';
import { CATEGORY_LABELS, formatMinutes } from '@pioneer/shared';
import { pdfkit } from '../../lib/lazy-packages';

/** Noto Sans SC (OFL) from an npm package: a full TTF that pdfkit subsets, so Chinese is selectable text. */
const FONT_MODULE = '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf';

type FontSource = Parameters<PDFKit.PDFDocument['font']>[0];
let parsedFont: FontSource | null = null;

/**
 * pdfkit parses a font given as bytes anew for every document (0.3–1 s for this 10 MB TTF). It
 * also takes an already parsed fontkit font (anything with `layout`), so the one it parsed for
 * the first document is kept and handed back; each document still embeds its own subset.
 */
function cjkFont(): FontSource {
  if (!parsedFont) {
    const probe = new (pdfkit())();
    // Resolved on first use, not at start-up: a checkout without the package still serves everything else.
    probe.font(readFileSync(require.resolve(FONT_MODULE)));
    parsedFont = (probe as unknown as { _font: { font: FontSource } })._font.font;
    probe.end();
  }
  return parsedFont;
}

interface CertificateDocument {
  no: string;
  memberName: string;
  phoneMasked: string;
  from: string;
  to: string;
  totalMinutes: number;
  items: Array<{ date: string; title: string; category: string; minutes: number }>;
  issuerName: string;
  leader: string;
  handler: string;
  issuedOn: string;
  verifyUrl: string;
  status: 'valid' | 'revoked';
  sealPng: Buffer | null;
}

/** The QR of the verify link, as embedded in the PDF (tests decode it). */
export function certificateQrPng(verifyUrl: string): Promise<Buffer> {
  return QRCode.toBuffer(verifyUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 300 });
}

const categoryLabel = (c: string) => (CATEGORY_LABELS as Record<string, string | undefined>)[c] ?? c;

/** A4, one column: title, holder, the items as a table, total, issuer with 负责人 and 经办人, seal, QR. */
export async function renderCertificatePdf(d: CertificateDocument): Promise<Buffer> {
  const qr = await certificateQrPng(d.verifyUrl);
  const doc = new (pdfkit())({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 56, right: 56 },
    info: { Title: `志愿服务记录证明 ${d.no}`, Author: d.issuerName, Subject: '志愿服务记录证明' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;

  doc.font(cjkFont());
  doc.fontSize(22).text('志愿服务记录证明', { align: 'center' });
  doc.moveDown(0.3);
  doc.fontSize(10).fillColor('#555').text(`编号：${d.no}`, { align: 'center' });
  if (d.status === 'revoked') doc.fillColor('#c00').fontSize(12).text('（本证明已作废）', { align: 'center' });
  doc.fillColor('#000').moveDown(1);
  doc
    .fontSize(12)
    .text(
      `兹证明 ${d.memberName}（手机号 ${d.phoneMasked}）于 ${d.from} 至 ${d.to} 期间参加由${d.issuerName}组织的志愿服务，` +
        `共 ${d.items.length} 次，累计服务时长 ${formatMinutes(d.totalMinutes)}（${(d.totalMinutes / 60).toFixed(1)} 小时）。明细如下：`,
      { lineGap: 4 },
    );
  doc.moveDown(0.6);

  const cols = [
    { title: '日期', w: 80 },
    { title: '服务岗位', w: width - 80 - 80 - 90 },
    { title: '类别', w: 80 },
    { title: '时长', w: 90 },
  ];
  const row = (cells: string[], header = false) => {
    if (doc.y > doc.page.height - doc.page.margins.bottom - 40) doc.addPage();
    const y = doc.y;
    let x = left;
    let height = 0;
    doc.fontSize(header ? 10.5 : 10).fillColor(header ? '#333' : '#000');
    cells.forEach((cell, i) => {
      height = Math.max(height, doc.heightOfString(cell, { width: cols[i].w - 6 }));
    });
    cells.forEach((cell, i) => {
      doc.text(cell, x + 3, y + 3, { width: cols[i].w - 6 });
      x += cols[i].w;
    });
    doc
      .moveTo(left, y + height + 6)
      .lineTo(left + width, y + height + 6)
      .strokeColor('#ccc')
      .lineWidth(0.5)
      .stroke();
    doc.x = left;
    doc.y = y + height + 8;
  };
  row(
    cols.map((c) => c.title),
    true,
  );
  for (const item of d.items) row([item.date, item.title, categoryLabel(item.category), formatMinutes(item.minutes)]);
  doc.moveDown(0.4);
  doc
    .fontSize(12)
    .fillColor('#000')
    .text(`合计：${formatMinutes(d.totalMinutes)}（共 ${d.items.length} 项）`, left, doc.y, { width, align: 'right' });

  if (doc.y > doc.page.height - doc.page.margins.bottom - 170) doc.addPage();
  const blockY = doc.y + 24;
  doc.fontSize(12).text(`出具单位：${d.issuerName}`, left, blockY);
  doc.text(`负责人：${d.leader}`, left, blockY + 22);
  doc.text(`经办人：${d.handler}`, left, blockY + 44);
  doc.text(`出具日期：${d.issuedOn}`, left, blockY + 66);
  if (d.sealPng) {
    try {
      doc.image(d.sealPng, left + 200, blockY - 10, { fit: [110, 110] });
    } catch {
      // A seal pdfkit cannot decode (checked as PNG on upload, yet damaged inside) leaves its place empty rather than fail the proof.
    }
  }
  doc.image(qr, left + width - 120, blockY - 10, { fit: [120, 120] });
  doc
    .fontSize(8)
    .fillColor('#555')
    .text('扫码核验真伪', left + width - 120, blockY + 112, { width: 120, align: 'center' });
  doc
    .fontSize(8)
    .fillColor('#777')
    .text(
      `依据《志愿服务记录与证明出具办法（试行）》出具。核验地址：${d.verifyUrl}`,
      left,
      doc.page.height - doc.page.margins.bottom - 20,
      {
        width,
        lineBreak: false,
      },
    );
  doc.end();
  return done;
}
