import { View, Text } from '@tarojs/components';
import { CATEGORY_LABELS, type TaskListItem } from '@pioneer/shared';
import { audienceTag } from '@/utils/grab';
import { formatRange } from '@/utils/time';
import type { ReactNode } from 'react';
import Icon from '@/components/Icon';
import './index.scss';

interface Props {
  task: TaskListItem;
  onClick?: () => void;
  action?: ReactNode;
  footer?: ReactNode;
}

export default function TaskCard({ task, onClick, action, footer }: Props) {
  const directed = audienceTag(task);
  const ratio = task.capacity > 0 ? Math.min(1, task.claimed / task.capacity) : 0;
  return (
    <View className="card task-card" onClick={onClick}>
      <View className="row between">
        <View className="row">
          <Text className="tag">{CATEGORY_LABELS[task.category]}</Text>
          {directed ? <Text className="tag task-card__audience">{directed}</Text> : null}
        </View>
        <Text className="muted">{formatRange(task.startsAt, task.endsAt)}</Text>
      </View>
      <View className="task-card__title">{task.title}</View>
      <View className="muted task-card__location row">
        <Icon name="location" color="#8c8c8c" size={26} />
        <Text className="task-card__location-text">{task.location}</Text>
      </View>
      <View className="row between task-card__bottom">
        <View className="task-card__progress-wrap">
          <View className="task-card__counts">
            剩余 <Text className="accent task-card__remaining">{task.remaining}</Text> / {task.capacity} 名额
          </View>
          <View className="task-card__bar">
            <View className="task-card__bar-fill" style={{ width: `${Math.round(ratio * 100)}%` }} />
          </View>
        </View>
        {action}
      </View>
      {footer}
    </View>
  );
}
