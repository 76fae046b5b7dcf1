import { View, Text } from '@tarojs/components';
import { ASSIGNMENT_PART_LABELS, ASSIGNMENT_STATUS_LABELS, WHISTLE_STATUS_LABELS, type Whistle } from '@pioneer/shared';
import { formatDateTime } from '@/utils/time';
import './index.scss';

/** One whistle in a list: its state, who raised it, its due time and each addressed unit's state. */
export default function WhistleCard({ whistle, onClick, unitOrgId }: { whistle: Whistle; onClick?: () => void; unitOrgId?: string }) {
  const shown = unitOrgId ? whistle.assignments.filter((a) => a.orgId === unitOrgId) : whistle.assignments;
  return (
    <View className="card whistle-card" onClick={onClick}>
      <View className="row between">
        <Text className={`whistle-card__status whistle-card__status--${whistle.status}`}>{WHISTLE_STATUS_LABELS[whistle.status]}</Text>
        {whistle.overdue ? <Text className="whistle-card__overdue">已超期</Text> : null}
      </View>
      <View className="whistle-card__title">{whistle.title}</View>
      <View className="muted">
        {whistle.raisedBy.name} 吹哨 · 时限 {formatDateTime(whistle.dueAt)}
      </View>
      <View className="whistle-card__units">
        {shown.map((a) => (
          <Text key={a.orgId} className={`whistle-card__unit ${a.overdue ? 'is-overdue' : ''}`}>
            {ASSIGNMENT_PART_LABELS[a.part]} {a.orgName} · {ASSIGNMENT_STATUS_LABELS[a.status]}
            {a.overdue ? ' · 超期' : ''}
          </Text>
        ))}
      </View>
    </View>
  );
}
