import { useEffect } from 'react';
import { View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import Icon from '@/components/Icon';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { canVerify, landingFor, ROUTES } from '@/utils/routes';
import './index.scss';

/** The code from `/c/<code>` (H5 redirect: `code`) or from WeChat opening a scanned link (`q`). */
export function scannedCodeFromParams(params: Record<string, string | undefined>): string | null {
  if (params.code) return decodeURIComponent(params.code);
  if (params.q) {
    const match = /\/c\/([A-Za-z0-9_-]+)/.exec(decodeURIComponent(params.q));
    if (match) return match[1];
  }
  return null;
}

/**
 * Where a scanned 先锋码 link lands, whoever scanned it: staff go straight on to 扫码核验 with
 * the code; anyone else learns what the code is for instead of seeing an error.
 */
export default function Scanned() {
  const code = scannedCodeFromParams(useRouter().params);
  const { ready, user, error, retry } = useAuthReady();
  const staff = ready && canVerify(user);

  useEffect(() => {
    if (staff && code) Taro.redirectTo({ url: `${ROUTES.verify}?code=${encodeURIComponent(code)}` });
  }, [staff, code]);

  return (
    <View className="page scanned">
      {!ready || staff ? (
        <StateView loading error={error} onRetry={retry} />
      ) : (
        <View className="card scanned__card" data-testid="scanned-friendly">
          <Icon name="qrcode" color="#c8161d" size={120} />
          <View className="scanned__title">这是一位在职党员的先锋码</View>
          <View className="muted scanned__text">
            先锋码用于党员到社区服务岗位时签到、签退，由社区书记扫码核验。您无需操作，也不会看到党员的个人信息。
          </View>
          <View className="btn scanned__btn" onClick={() => Taro.reLaunch({ url: landingFor(user) })}>
            进入先锋领航·码上到
          </View>
        </View>
      )}
    </View>
  );
}
