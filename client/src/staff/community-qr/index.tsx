import { View, Image } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { RegisterInfo } from '@pioneer/shared';
import SecretaryGate from '@/components/SecretaryGate';
import StateView from '@/components/StateView';
import { useRequest } from '@/hooks/use-request';
import { IS_H5 } from '@/services/config';
import { getRegisterInfo, getRegisterQrPng } from '@/services/directory';
import { drawPoster, POSTER_SIZE, posterFileName, type PosterContext } from '@/utils/poster';
import './index.scss';

interface Poster {
  info: RegisterInfo;
  /** H5: a PNG data URL; weapp: a temporary file path. */
  src: string;
}

function loadImageH5(png: ArrayBuffer): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(new Blob([png], { type: 'image/png' }));
  return new Promise((resolve, reject) => {
    const img = new window.Image();
    img.onload = () => {
      URL.revokeObjectURL(url);
      resolve(img);
    };
    img.onerror = () => reject(new Error('二维码图片加载失败'));
    img.src = url;
  });
}

async function renderH5(info: RegisterInfo, png: ArrayBuffer): Promise<string> {
  const qr = await loadImageH5(png);
  // Web fonts (the page's own CJK font, if any) must be ready before text is drawn on a canvas.
  await document.fonts?.ready;
  const canvas = document.createElement('canvas');
  canvas.width = POSTER_SIZE.width;
  canvas.height = POSTER_SIZE.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('浏览器不支持生成海报');
  drawPoster(ctx as unknown as PosterContext, info, qr);
  return canvas.toDataURL('image/png');
}

async function renderWeapp(info: RegisterInfo, png: ArrayBuffer): Promise<string> {
  const qrPath = `${Taro.env.USER_DATA_PATH}/register-qr-${info.community.id}.png`;
  await new Promise<void>((resolve, reject) => {
    Taro.getFileSystemManager().writeFile({ filePath: qrPath, data: png, encoding: 'binary', success: () => resolve(), fail: reject });
  });
  const canvas = Taro.createOffscreenCanvas({ type: '2d', width: POSTER_SIZE.width, height: POSTER_SIZE.height }) as unknown as {
    getContext(kind: '2d'): PosterContext;
    createImage(): { src: string; onload: () => void; onerror: (e: unknown) => void };
  };
  const qr = canvas.createImage();
  await new Promise<void>((resolve, reject) => {
    qr.onload = () => resolve();
    qr.onerror = reject;
    qr.src = qrPath;
  });
  drawPoster(canvas.getContext('2d'), info, qr);
  const { tempFilePath } = await Taro.canvasToTempFilePath({ canvas } as unknown as Taro.canvasToTempFilePath.Option);
  return tempFilePath;
}

/** The community's QR on a printable A4 poster (PNG), with the community's and district's names. */
async function loadPoster(orgId: string): Promise<Poster> {
  const [info, png] = await Promise.all([getRegisterInfo(orgId), getRegisterQrPng(orgId)]);
  return { info, src: IS_H5 ? await renderH5(info, png) : await renderWeapp(info, png) };
}

function download(src: string, name: string) {
  const a = document.createElement('a');
  a.href = src;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function CommunityQr({ orgId }: { orgId: string }) {
  const poster = useRequest(() => loadPoster(orgId), [orgId]);

  const save = async () => {
    if (!poster.data) return;
    if (IS_H5) {
      download(poster.data.src, posterFileName(poster.data.info.community.name));
      return;
    }
    try {
      await Taro.saveImageToPhotosAlbum({ filePath: poster.data.src });
      Taro.showToast({ title: '已保存到相册', icon: 'success' });
    } catch {
      Taro.showToast({ title: '保存失败，请允许访问相册后重试', icon: 'none' });
    }
  };

  return (
    <StateView loading={poster.loading} error={poster.error} onRetry={poster.retryable ? poster.reload : undefined}>
      {poster.data ? (
        <>
          <View className="cqr">
            <Image className="cqr__poster" src={poster.data.src} mode="widthFix" showMenuByLongpress data-testid="poster" />
          </View>
          <View className="muted cqr__tip no-print">A4 海报（PNG），可直接打印后张贴在小区出入口、楼道等处。</View>
          <View className="cqr__actions no-print">
            <View className="btn" onClick={save}>
              {IS_H5 ? '下载海报（PNG）' : '保存到相册'}
            </View>
            {IS_H5 ? (
              <View className="btn btn-plain" onClick={() => window.print()}>
                打印
              </View>
            ) : null}
          </View>
        </>
      ) : null}
    </StateView>
  );
}

export default function CommunityQrPage() {
  return (
    <View className="page">
      <SecretaryGate>{(orgId) => <CommunityQr orgId={orgId} />}</SecretaryGate>
    </View>
  );
}
