import { DIALOG } from '@pioneer/shared';
import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { signOut } from '@/services/auth';
import { IS_H5 } from '@/services/config';
import { errorMessage } from '@/services/http';
import { deregister, download, getMyExport } from '@/services/registry';
import { beijingDate, beijingTime, formatHours } from '@/utils/time';
import './index.scss';

const ACTIONS: Record<string, string> = {
  'member.register': '报到登记',
  'member.update': '修改报到信息',
  'member.personal_data_read': '社区工作人员查看了您的完整手机号和住址',
};

/** 我的数据: a copy of everything held about the member (PIPL Art. 45), and 注销 (Art. 47). */
export default function MyData() {
  const { ready, user } = useAuthReady();
  const data = useRequest(getMyExport, [user?.memberId], ready && Boolean(user?.memberId));
  const [busy, setBusy] = useState(false);
  const d = data.data;

  async function onDeregister() {
    const { confirm } = await Taro.showModal({
      title: '确认注销',
      content: '注销后，您的姓名、手机号、住址和微信绑定将被删除且无法恢复；已完成的服务只以匿名方式计入统计。尚未开始的岗位将自动取消。',
      confirmText: '确认注销',
      cancelText: DIALOG.keep,
      confirmColor: '#c8161d',
    });
    if (!confirm) return;
    setBusy(true);
    try {
      const r = await deregister();
      await Taro.showModal({
        title: '已注销',
        content: `已取消 ${r.cancelledClaims} 个未开始的岗位${r.keptClaims ? `；${r.keptClaims} 个即将开始的岗位已过取消时间，将匿名保留` : ''}。`,
        showCancel: false,
      });
      signOut();
      if (!IS_H5) Taro.reLaunch({ url: '/pages/index/index' });
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className="page my-data">
      <StateView loading={data.loading && !d} error={data.error} onRetry={data.reload}>
        {d ? (
          <>
            <View className="card">
              <View className="card-title">个人信息</View>
              <View className="my-data__kv">
                <Text className="muted">姓名</Text>
                <Text>{d.profile.name}</Text>
              </View>
              <View className="my-data__kv">
                <Text className="muted">手机号</Text>
                <Text>{d.profile.phone}</Text>
              </View>
              <View className="my-data__kv">
                <Text className="muted">组织关系</Text>
                <Text>{d.profile.unitOrg.name}</Text>
              </View>
              <View className="my-data__kv">
                <Text className="muted">住址</Text>
                <Text>{`${d.profile.estate.name} ${d.profile.building}-${d.profile.unitNo}-${d.profile.room}`}</Text>
              </View>
              <View className="my-data__kv">
                <Text className="muted">报到时间</Text>
                <Text>{beijingDate(d.profile.registeredAt)}</Text>
              </View>
            </View>
            <View className="card">
              <View className="card-title">授权记录</View>
              {d.consents.map((c) => (
                <View key={`${c.version}-${c.at}`} className="my-data__kv">
                  <Text className="muted">{beijingDate(c.at)}</Text>
                  <Text>{`${c.action === 'given' ? '同意' : '撤回'}《个人信息保护告知书》${c.version} 版`}</Text>
                </View>
              ))}
            </View>
            <View className="card">
              <View className="card-title">服务与记录</View>
              <View className="my-data__kv">
                <Text className="muted">认领记录</Text>
                <Text>{d.claims.length} 条</Text>
              </View>
              <View className="my-data__kv">
                <Text className="muted">服务时长</Text>
                <Text>{formatHours(d.records.minutes)} 小时</Text>
              </View>
              <View className="my-data__kv">
                <Text className="muted">候补与抽签</Text>
                <Text>{d.waitlist.length + d.draws.length} 条</Text>
              </View>
              <View className="my-data__kv">
                <Text className="muted">居民点单</Text>
                <Text>{d.demands.length} 条</Text>
              </View>
              <View className="my-data__kv">
                <Text className="muted">消息</Text>
                <Text>{d.messages.length} 条</Text>
              </View>
            </View>
            <View className="card">
              <View className="card-title">信息使用记录</View>
              {d.auditTrail.map((a, i) => (
                <View key={`${a.at}-${i}`} className="my-data__kv">
                  <Text className="muted">{`${beijingDate(a.at)} ${beijingTime(a.at)}`}</Text>
                  <Text>{`${ACTIONS[a.action] ?? a.action}${a.reason ? `（${a.reason}）` : ''}`}</Text>
                </View>
              ))}
            </View>
            {IS_H5 ? (
              <View
                className="btn btn-plain"
                onClick={() =>
                  download('/members/me/export', {}, 'my-data.json').catch((e) => Taro.showToast({ title: errorMessage(e), icon: 'none' }))
                }
              >
                下载我的全部数据（JSON）
              </View>
            ) : null}
            <View className={`btn btn-gray my-data__leave`} onClick={busy ? undefined : onDeregister}>
              注销党员报到
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  );
}
