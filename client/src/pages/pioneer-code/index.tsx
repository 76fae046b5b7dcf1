import { useState } from 'react';
import { View } from '@tarojs/components';
import Taro, { useDidHide, useDidShow } from '@tarojs/taro';
import BottomNav from '@/components/BottomNav';
import PioneerCode from '@/components/PioneerCode';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { IS_H5 } from '@/services/config';
import { getMyMember, getPioneerCode } from '@/services/members';
import { ROUTES } from '@/utils/routes';
import './index.scss';

export default function PioneerCodePage() {
  const { ready, user } = useAuthReady();
  const [visible, setVisible] = useState(true);
  const registered = Boolean(user?.memberId);
  const member = useRequest(getMyMember, [user?.memberId], ready && registered);

  useDidShow(() => setVisible(true));
  useDidHide(() => setVisible(false));

  return (
    <View className="page pcode-page">
      {!ready ? (
        <StateView loading />
      ) : !registered ? (
        <View className="card pcode-page__empty">
          <View className="card-title">还没有先锋码</View>
          <View className="muted">扫描社区报到二维码或查找所在社区，完成报到后即可生成您的先锋码。</View>
          <View className="btn" style={{ marginTop: '24px' }} onClick={() => Taro.navigateTo({ url: ROUTES.findCommunity })}>
            查找社区去报到
          </View>
        </View>
      ) : (
        <PioneerCode
          fetcher={getPioneerCode}
          name={member.data?.name}
          community={member.data ? `${member.data.community.name} · ${member.data.estate.name}` : undefined}
          active={visible}
          showToken={IS_H5}
        />
      )}
      <BottomNav current="code" />
    </View>
  );
}
