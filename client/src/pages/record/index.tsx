import { View, Text } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { CLAIM_STATE_LABELS, RECORD_SOURCE_LABELS, formatMinutes, type RecordState } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { getRecordHistory } from '@/services/records';
import { formatDateTime } from '@/utils/time';
import './index.scss';

function stateLine(s: RecordState | null): string {
  if (!s) return '无记录';
  const label = (CLAIM_STATE_LABELS as Record<string, string>)[s.status] ?? s.status;
  const times = s.checkedInAt && s.checkedOutAt ? `${formatDateTime(s.checkedInAt)} – ${formatDateTime(s.checkedOutAt)}` : '未签到签退';
  return `${label} · ${times}${s.minutes !== null ? ` · ${formatMinutes(s.minutes)}` : ''}`;
}

/** One record's amendments, oldest first: who, when, why, before and after. */
export default function RecordPage() {
  const { id = '', title } = useRouter().params;
  const { ready } = useAuthReady();
  const history = useRequest(() => getRecordHistory(id), [id], ready && Boolean(id));
  const record = history.data?.record;

  return (
    <View className="page record">
      <StateView
        loading={!history.data && (history.loading || !ready)}
        error={history.error}
        onRetry={history.retryable ? history.reload : undefined}
      >
        {record ? (
          <View className="card">
            <View className="card-title">{title ? decodeURIComponent(title) : '服务记录'}</View>
            <View className="row between">
              <Text className="muted">现记录时长</Text>
              <Text className="record__minutes">{formatMinutes(record.minutes)}</Text>
            </View>
            <View className="row between">
              <Text className="muted">记录方式</Text>
              <Text>
                {RECORD_SOURCE_LABELS[record.source]}
                {record.amended ? '（已更正）' : ''}
              </Text>
            </View>
          </View>
        ) : null}
        <View className="card">
          <View className="card-title">修改历史</View>
          <StateView empty={history.data?.items.length === 0} emptyText="这条记录没有修改过">
            {history.data?.items.map((a) => (
              <View key={a.id} className="record__amendment" data-testid="amendment">
                <View className="row between">
                  <Text className="record__who">
                    {RECORD_SOURCE_LABELS[a.source]} · {a.by.name ?? '系统'}
                  </Text>
                  <Text className="muted">{formatDateTime(a.at)}</Text>
                </View>
                <View className="record__why">原因：{a.reason}</View>
                <View className="muted">修改前：{stateLine(a.before)}</View>
                <View className="record__after">修改后：{stateLine(a.after)}</View>
              </View>
            ))}
          </StateView>
        </View>
      </StateView>
    </View>
  );
}
