import { useEffect, useState } from 'react';
import { View, Text, Image } from '@tarojs/components';
import Taro, { useRouter, useDidHide, useDidShow } from '@tarojs/taro';
import { ROLE_LABELS, type Attendance } from '@pioneer/shared';
import { svgDataUri } from '@/components/PioneerCode';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useLiveAttendance } from '@/hooks/use-live-attendance';
import { useRequest } from '@/hooks/use-request';
import { getCheckin, getMeeting } from '@/services/meetings';
import { formatClock, formatDateTime } from '@/utils/time';
import './index.scss';

const keyOf = (a: Attendance) => `${a.org.id}|${a.role}|${a.at}`;

/** The list read over HTTP with what the live channel brought since, once each, in order of arrival. */
export function mergeAttendance(read: Attendance[], heard: Attendance[]): Attendance[] {
  const seen = new Set(read.map(keyOf));
  return [...read, ...heard.filter((a) => !seen.has(keyOf(a)))].sort((a, b) => a.at.localeCompare(b.at));
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
    if (visible && ready && id) Taro.setKeepScreenOn?.({ keepScreenOn: true }).catch(() => undefined);
  }, [visible, ready, id]);

  // Each check-in arrives over the live channel; after a (re)connect the list is read once again for
  // what came while the socket was away.
  const [heard, setHeard] = useState<Attendance[]>([]);
  const [connections, setConnections] = useState(0);
  useLiveAttendance(
    id,
    visible && ready && Boolean(id),
    (a) => setHeard((prev) => [...prev, a]),
    () => setConnections((n) => n + 1),
  );
  useEffect(() => {
    if (connections > 1) void detail.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [connections]);

  const d = detail.data;
  const attendance = mergeAttendance(d?.attendance ?? [], heard);
  return (
    <View className="meeting-qr">
      <StateView loading={!ready || (qr.loading && !qr.data)} error={qr.error} onRetry={qr.reload}>
        {qr.data ? (
          <>
            <View className="meeting-qr__title">{d?.meeting.title ?? '会议签到'}</View>
            <Image className="meeting-qr__code" src={svgDataUri(qr.data.qrSvg)} mode="aspectFit" />
            <View className="muted meeting-qr__hint">
              受邀单位人员用微信扫码签到 · {formatDateTime(qr.data.opensAt)} 至 {formatClock(qr.data.closesAt)}
            </View>
          </>
        ) : null}
      </StateView>
      <View className="meeting-qr__list">
        <View className="meeting-qr__count" data-testid="meeting-qr-count">
          已签到 {attendance.length} 人
        </View>
        {attendance.map((a) => (
          <View key={keyOf(a)} className="row between meeting-qr__row">
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
