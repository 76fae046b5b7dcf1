import { View, Image } from '@tarojs/components';
import Taro from '@tarojs/taro';
import SecretaryGate from '../../components/SecretaryGate';
import { svgDataUri } from '../../components/PioneerCode';
import StateView from '../../components/StateView';
import { useRequest } from '../../hooks/use-request';
import { IS_H5 } from '../../services/config';
import { getRegisterQrPng, getRegisterQrSvg } from '../../services/directory';
import './index.scss';

/** WeChat cannot show a data-URI SVG reliably at print size, so it gets the PNG as a local file. */
async function loadQr(orgId: string): Promise<string> {
  if (IS_H5) return svgDataUri(await getRegisterQrSvg(orgId));
  const png = await getRegisterQrPng(orgId);
  const filePath = `${Taro.env.USER_DATA_PATH}/register-qr-${orgId}.png`;
  await new Promise<void>((resolve, reject) => {
    Taro.getFileSystemManager().writeFile({
      filePath,
      data: png,
      encoding: 'binary',
      success: () => resolve(),
      fail: reject,
    });
  });
  return filePath;
}

function download(src: string) {
  const a = document.createElement('a');
  a.href = src;
  a.download = '社区报到二维码.svg';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function CommunityQr({ orgId }: { orgId: string }) {
  const qr = useRequest(() => loadQr(orgId), [orgId]);

  const save = async () => {
    if (!qr.data) return;
    if (IS_H5) {
      download(qr.data);
      return;
    }
    try {
      await Taro.saveImageToPhotosAlbum({ filePath: qr.data });
      Taro.showToast({ title: '已保存到相册', icon: 'success' });
    } catch {
      Taro.showToast({ title: '保存失败，请允许访问相册后重试', icon: 'none' });
    }
  };

  return (
    <StateView loading={qr.loading} error={qr.error} onRetry={qr.reload}>
      <View className="card cqr">
        <View className="cqr__title">在职党员到社区报到</View>
        <View className="muted">微信扫一扫，一键报到</View>
        {qr.data ? <Image className="cqr__img" src={qr.data} mode="aspectFit" showMenuByLongpress /> : null}
        <View className="cqr__foot">先锋领航·码上到</View>
      </View>
      <View className="cqr__actions no-print">
        <View className="btn" onClick={save}>
          {IS_H5 ? '下载二维码' : '保存到相册'}
        </View>
        {IS_H5 ? (
          <View className="btn btn-plain" onClick={() => window.print()}>
            打印
          </View>
        ) : null}
      </View>
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
