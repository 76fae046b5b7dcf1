import type { RegisterInfo } from '@pioneer/shared';

/** A4 at 150 dpi (210 × 297 mm): sharp when printed, small enough to share from a phone. */
export const POSTER_SIZE = { width: 1240, height: 1754 } as const;

const RED = '#c8161d';
const FONT = '"PingFang SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';

/** The part of CanvasRenderingContext2D the poster uses: the same calls exist in weapp's 2D canvas. */
export interface PosterContext {
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  font: string;
  textAlign: string;
  textBaseline: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  measureText(text: string): { width: number };
  drawImage(image: never, x: number, y: number, w: number, h: number): void;
}

/** The largest font size (down to `min`) at which the text fits the width. */
function fit(ctx: PosterContext, text: string, weight: string, size: number, min: number, width: number): string {
  let s = size;
  for (; s > min; s -= 4) {
    ctx.font = `${weight} ${s}px ${FONT}`;
    if (ctx.measureText(text).width <= width) break;
  }
  return `${weight} ${s}px ${FONT}`;
}

/**
 * The printable 扫码报到 poster: who it is for, the community and its district, the QR and what to
 * do with it, and the register code for anyone who cannot scan.
 */
export function drawPoster(ctx: PosterContext, info: Pick<RegisterInfo, 'community' | 'district' | 'registerCode'>, qr: unknown) {
  const { width: W, height: H } = POSTER_SIZE;
  const mid = W / 2;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, W, H);

  ctx.fillStyle = RED;
  ctx.fillRect(0, 0, W, 340);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = '#ffffff';
  ctx.font = `bold 92px ${FONT}`;
  ctx.fillText('在职党员到社区报到', mid, 150);
  ctx.font = `48px ${FONT}`;
  ctx.fillText('先锋领航 · 码上到', mid, 250);

  ctx.fillStyle = RED;
  ctx.font = fit(ctx, info.community.name, 'bold', 100, 48, W - 160);
  ctx.fillText(info.community.name, mid, 470);
  ctx.fillStyle = '#595959';
  ctx.font = `46px ${FONT}`;
  ctx.fillText(info.district.name, mid, 560);

  const qrSize = 720;
  const qrX = (W - qrSize) / 2;
  const qrY = 640;
  ctx.strokeStyle = '#f3d4d5';
  ctx.lineWidth = 6;
  ctx.strokeRect(qrX - 24, qrY - 24, qrSize + 48, qrSize + 48);
  ctx.drawImage(qr as never, qrX, qrY, qrSize, qrSize);

  ctx.fillStyle = '#1f1f1f';
  ctx.font = `bold 68px ${FONT}`;
  ctx.fillText('微信扫一扫 · 一键报到', mid, 1490);
  ctx.fillStyle = '#595959';
  ctx.font = `38px ${FONT}`;
  ctx.fillText('填写报到信息后即可领取先锋码、参与社区服务岗位', mid, 1570);
  ctx.font = `36px ${FONT}`;
  ctx.fillText(`无法扫码？在“查找社区”中输入报到码：${info.registerCode}`, mid, 1640);

  ctx.fillStyle = RED;
  ctx.fillRect(0, H - 24, W, 24);
}

/** A file name a phone and a printer both handle: the community name, then 报到海报.png. */
export function posterFileName(communityName: string): string {
  return `${communityName.replace(/[\\/:*?"<>|\s]+/g, '')}报到海报.png`;
}
