import { View, Text } from '@tarojs/components';
import { ACTION_STATUS_LABELS, type Action } from '@pioneer/shared';
import { formatDateTime } from '@/utils/time';
import './index.scss';

/** One action item (责任分工): owner, due time, status and a progress bar; overdue in red. */
export default function ActionCard({ action, onClick }: { action: Action; onClick?: () => void }) {
  return (
    <View className={`action-card ${action.overdue ? 'is-overdue' : ''}`} onClick={onClick}>
      <View className="row between">
        <Text className="action-card__title">{action.title}</Text>
        <Text className={`action-card__status action-card__status--${action.status}`}>
          {action.overdue ? '已超期' : ACTION_STATUS_LABELS[action.status]}
        </Text>
      </View>
      <View className="muted">
        牵头 {action.owner.name}
        {action.assists.length ? ` · 协办 ${action.assists.map((a) => a.name).join('、')}` : ''}
      </View>
      <View className="action-card__bar">
        <View className="action-card__fill" style={{ width: `${action.progress}%` }} />
      </View>
      <View className="row between muted">
        <Text>进度 {action.progress}%</Text>
        <Text>时限 {formatDateTime(action.dueAt)}</Text>
      </View>
    </View>
  );
}
