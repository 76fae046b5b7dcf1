import { View } from '@tarojs/components';
import { CATEGORY_LABELS } from '@pioneer/shared';
export default function Index() {
  return <View className="page">{Object.values(CATEGORY_LABELS).join(' ')}</View>;
}
