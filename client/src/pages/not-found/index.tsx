import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import Icon from '@/components/Icon';
import { getSession } from '@/services/session';
import { landingFor } from '@/utils/routes';
import './index.scss';

/** Shown for a link to a page that does not exist (H5's router, WeChat's onPageNotFound). */
export default function NotFound() {
  return (
    <View className="page not-found">
      <View className="card not-found__card" data-testid="not-found">
        <Icon name="alert" color="#bfbfbf" size={120} />
        <View className="not-found__title">页面不存在</View>
        <View className="muted">链接可能已失效或输入有误</View>
        <View className="btn not-found__btn" onClick={() => Taro.reLaunch({ url: landingFor(getSession().user) })}>
          返回首页
        </View>
      </View>
    </View>
  );
}
