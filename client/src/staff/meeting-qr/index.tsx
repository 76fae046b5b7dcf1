import { useEffect, useState } from 'react';
import { View, Text, Image } from '@tarojs/components';
import Taro, { useRouter, useDidHide, useDidShow } from '@tarojs/taro';
import { ROLE_LABELS } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { getCheckin, getMeeting } from '@/services/meetings';
import { formatClock, formatDateTime } from '@/utils/time';
import './index.scss';

/** How often the attendance list is read again while the QR is on screen. */
const POLL_MS = 5000;

/** The QR's SVG (ASCII) as a data URL every platform's <Image> shows. */
function svgDataUrl(svg: string): string {
  const bytes = new Uint8Array(svg.length);
  for (let i = 0; i < svg.length; i++) bytes[i] = svg.charCodeAt(i) & 0xff;
  return `data:image/svg+xml;base64,${Taro.arrayBufferToBase64(bytes.buffer)}`;
}

/** The convener's screen at the door: the check-in QR full screen, with the attendance as it comes in. */
export default function MeetingQr() {
  const { ready } = useAuthReady();
  const id = useRouter().params.id ?? '';
  const qr = useRequest(() => getCheckin(id), [id], ready && Boolean(id));
  const detail = useRequest(() => getMeeting(id), [id], ready && Boolean(id));
  const [visible, setVisible] = useState(true);
  useDidShow(() => setVisible(true));
  useDidHide(() => setVisible(false));

  useEffect(() => {
    if (!visible || !ready || !id) return undefined;
    Taro.setKeepScreenOn?.({ keepScreenOn: true }).catch(() => undefined);
    const timer = setInterval(() => void detail.reload(), POLL_MS);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [visible, ready, id]);

  const d = detail.data;
  return (
    <View className="meeting-qr">
      <StateView loading={!ready || (qr.loading && !qr.data)} error={qr.error} onRetry={qr.reload}>
        {qr.data ? (
          <>
            <View className="meeting-qr__title">{d?.meeting.title ?? '会议签到'}</View>
            <Image className="meeting-qr__code" src={svgDataUrl(qr.data.qrSvg)} mode="aspectFit" />
            <View className="muted meeting-qr__hint">
              受邀单位人员用微信扫码签到 · {formatDateTime(qr.data.opensAt)} 至 {formatClock(qr.data.closesAt)}
            </View>
          </>
        ) : null}
      </StateView>
      <View className="meeting-qr__list">
        <View className="meeting-qr__count">已签到 {d?.attendance.length ?? 0} 人</View>
        {d?.attendance.map((a, i) => (
          <View key={i} className="row between meeting-qr__row">
            <Text>
              {a.org.name} · {ROLE_LABELS[a.role]}
            </Text>
            <Text className="muted">{formatClock(a.at)}</Text>
          </View>
        ))}
      </View>
    </View>
  );
}
