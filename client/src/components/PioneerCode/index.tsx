import { View, Text, Image } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { PioneerCodeResponse } from '@pioneer/shared';
import Icon from '@/components/Icon';
import { usePioneerCode } from '@/hooks/use-pioneer-code';
import './index.scss';

interface Props {
  fetcher: () => Promise<PioneerCodeResponse>;
  name?: string;
  community?: string;
  /** Paused while the page is hidden so a code is not fetched for nobody. */
  active?: boolean;
  /** H5 shows the token text for secretaries who paste it. */
  showToken?: boolean;
}

export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export default function PioneerCode({ fetcher, name, community, active = true, showToken = false }: Props) {
  const { code, secondsLeft, error, loading, refresh } = usePioneerCode(fetcher, { enabled: active });
  // A code past its lifetime (the refresh failed, the phone slept) must not look scannable.
  const expired = Boolean(code) && secondsLeft === 0;

  return (
    <View className="pcode card">
      <View className="pcode__who">
        <View className="pcode__name">{name ?? ''}</View>
        <View className="muted">{community ?? ''}</View>
      </View>
      <View className="pcode__badge">在职党员 · 先锋码</View>
      <View className={`pcode__qr ${expired ? 'is-expired' : ''}`} onClick={() => refresh()} data-testid="pcode-qr">
        {code ? (
          <Image className="pcode__img" src={svgDataUri(code.qrSvg)} mode="aspectFit" />
        ) : (
          <View className="pcode__placeholder">{error ?? '正在生成…'}</View>
        )}
        {expired ? (
          <View className="pcode__expired" data-testid="pcode-expired">
            <Icon name="refresh" color="#c8161d" size={64} />
            <Text className="pcode__expired-text">{loading ? '正在刷新…' : '已过期，点击刷新'}</Text>
          </View>
        ) : null}
      </View>
      <View className="pcode__countdown" data-testid="pcode-countdown">
        {expired ? (
          <Text className="muted">先锋码已失效，请刷新后再出示</Text>
        ) : code ? (
          <>
            <Text className="accent">{secondsLeft}</Text>
            <Text> 秒后自动刷新</Text>
          </>
        ) : loading ? (
          '加载中…'
        ) : null}
      </View>
      {error && code ? <View className="field-error">{error}</View> : null}
      <View className="muted pcode__hint">到岗后请向社区书记出示此码签到、签退；点击二维码可手动刷新</View>
      {showToken && code ? (
        <View className="pcode__token">
          <View className="muted">先锋码文本（供书记在网页端粘贴核验）</View>
          <Text className="pcode__token-text" userSelect selectable data-testid="pcode-token">
            {code.token}
          </Text>
          <View className="btn btn-plain btn-small" onClick={() => Taro.setClipboardData({ data: code.token })}>
            复制
          </View>
        </View>
      ) : null}
    </View>
  );
}
