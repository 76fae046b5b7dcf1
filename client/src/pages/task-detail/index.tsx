import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { useRouter, useShareAppMessage } from '@tarojs/taro';
import { CATEGORY_LABELS, DIALOG, POST_PHASE_LABELS, postPhase } from '@pioneer/shared';
import DrawPanel from '@/components/DrawPanel';
import GrabButton from '@/components/GrabButton';
import WaitlistPanel from '@/components/WaitlistPanel';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useLiveCounts, withLive } from '@/hooks/use-live-counts';
import { useRequest } from '@/hooks/use-request';
import { useGrab } from '@/hooks/use-grab';
import { errorMessage } from '@/services/http';
import { secretaryOrgId } from '@/services/session';
import { cancelMyClaim, getTask } from '@/services/tasks';
import { audienceRefusal, audienceTag, CLAIM_STATUS_LABELS } from '@/utils/grab';
import { getMyMember } from '@/services/members';
import { formatDateTime, formatRange } from '@/utils/time';
import { ROUTES } from '@/utils/routes';
import Icon from '@/components/Icon';
import './index.scss';

export default function TaskDetail() {
  const id = useRouter().params.id ?? '';
  const { ready, user } = useAuthReady();
  const detail = useRequest(() => getTask(id), [id], ready && Boolean(id));
  const [cancelling, setCancelling] = useState(false);
  const live = useLiveCounts(id ? [id] : [], ready);

  const data = detail.data;
  const task = data ? withLive(data.task, live) : null;
  const myClaim = data?.myClaim ?? null;
  const isMySecretary = task && secretaryOrgId(user) === task.communityOrgId;

  // A directed post (定向岗位): members of other units are told why they cannot grab it.
  const member = useRequest(() => getMyMember(), [user?.memberId], ready && Boolean(user?.memberId));
  const refusal = task ? audienceRefusal(task, member.data?.unitOrg?.id) : null;
  const directed = task ? audienceTag(task) : null;
  const { grab: claim, pending } = useGrab(user);
  const grab = async () => {
    const outcome = await claim(id);
    // Claimed or refused, the post has moved on: read it again (not after a lost connection).
    if (outcome.kind === 'claimed' || outcome.kind === 'refused') detail.reload();
  };

  const cancel = async () => {
    const { confirm } = await Taro.showModal({
      title: '取消报名',
      content: '取消后名额将释放给其他党员（有候补时顺延给候补第一位）。',
      confirmText: DIALOG.confirmCancelClaim,
      cancelText: DIALOG.keep,
    });
    if (!confirm) return;
    setCancelling(true);
    try {
      await cancelMyClaim(id);
      Taro.showToast({ title: '已取消报名', icon: 'success' });
      detail.reload();
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    } finally {
      setCancelling(false);
    }
  };

  // WeChat share card: the post and its community, opening this page.
  useShareAppMessage(() => ({
    title: task ? `${task.title} · ${task.communityName}` : '社区服务岗位',
    path: `${ROUTES.taskDetail}?id=${id}`,
  }));

  const cutoffAt = task ? new Date(Date.parse(task.startsAt) - task.cancelCutoffMinutes * 60000).toISOString() : null;
  // Past the cutoff the server refuses a cancel (a promoted claim excepted, until the start): not offered then.
  const canCancel =
    myClaim?.status === 'claimed' &&
    task !== null &&
    Date.now() < (myClaim.promoted ? Date.parse(task.startsAt) : Date.parse(cutoffAt ?? task.startsAt));

  return (
    <View className="page detail">
      <StateView loading={detail.loading && !data} error={detail.error} onRetry={detail.retryable ? detail.reload : undefined}>
        {task ? (
          <>
            <View className="card">
              <View className="row between">
                <View className="row">
                  <Text className="tag">{CATEGORY_LABELS[task.category]}</Text>
                  {directed ? <Text className="tag detail__audience">{directed}</Text> : null}
                </View>
                <Text className="muted">{POST_PHASE_LABELS[postPhase(task, Date.now())]}</Text>
              </View>
              <View className="detail__title">{task.title}</View>
              <View className="detail__line row">
                <Icon name="clock" color="#8c8c8c" size={30} />
                <Text>{formatRange(task.startsAt, task.endsAt)}</Text>
              </View>
              <View className="detail__line row">
                <Icon name="location" color="#8c8c8c" size={30} />
                <Text>{task.location}</Text>
              </View>
              <View className="detail__line row">
                <Icon name="building" color="#8c8c8c" size={30} />
                <Text>{task.communityName}</Text>
              </View>
              {task.contactName || task.contactPhone ? (
                <View className="detail__line row">
                  <Icon name="user" color="#8c8c8c" size={30} />
                  <Text>联系人：{task.contactName ?? ''}</Text>
                  {task.contactPhone ? (
                    <Text
                      className="detail__phone"
                      onClick={() => {
                        // A landline keeps its area code; the dialer takes digits only.
                        void Taro.makePhoneCall({ phoneNumber: task.contactPhone!.replace(/-/g, '') }).catch(() => undefined);
                      }}
                    >
                      <Icon name="phone" color="#c8161d" size={28} />
                      {task.contactPhone}
                    </Text>
                  ) : null}
                </View>
              ) : null}
              <View className="detail__line row">
                <Icon name="bell" color="#8c8c8c" size={30} />
                <Text>开抢时间：{formatDateTime(task.claimOpensAt)}</Text>
              </View>
              <View className="detail__counts">
                <View className="detail__count">
                  <Text className="detail__num accent">{task.remaining}</Text>
                  <Text className="muted">剩余名额</Text>
                </View>
                <View className="detail__count">
                  <Text className="detail__num">{task.claimed}</Text>
                  <Text className="muted">已抢到</Text>
                </View>
                <View className="detail__count">
                  <Text className="detail__num">{task.capacity}</Text>
                  <Text className="muted">总名额</Text>
                </View>
              </View>
            </View>

            {task.description ? (
              <View className="card">
                <View className="card-title">岗位说明</View>
                <Text className="detail__desc">{task.description}</Text>
              </View>
            ) : null}

            {myClaim && myClaim.status !== 'cancelled' && myClaim.status !== 'released' ? (
              <View className="card">
                <View className="card-title">我的报名</View>
                <View>
                  状态：<Text className="accent">{CLAIM_STATUS_LABELS[myClaim.status]}</Text>
                </View>
                <View className="muted">报名时间：{formatDateTime(myClaim.claimedAt)}</View>
                {myClaim.status === 'claimed' && cutoffAt ? (
                  <View className="muted" data-testid="cancel-rule">
                    {canCancel
                      ? task.cancelCutoffMinutes > 0 && !myClaim.promoted
                        ? `${formatDateTime(cutoffAt)}前可取消（开始前 ${task.cancelCutoffMinutes} 分钟截止）`
                        : '开始前可取消'
                      : `已过取消截止时间（开始前 ${task.cancelCutoffMinutes} 分钟），不能再取消报名；如确有变动，请联系社区书记。`}
                  </View>
                ) : null}
                <View className="muted">到岗后请出示“先锋码”由社区书记扫码签到。</View>
              </View>
            ) : null}

            <DrawPanel task={task} memberId={user?.memberId ?? null} myEntry={data?.myEntry ?? null} onChanged={detail.reload} />
            <WaitlistPanel task={task} myClaimStatus={myClaim?.status} myWaitlist={data?.myWaitlist ?? null} onChanged={detail.reload} />

            <View className="detail__actions">
              {refusal ? (
                <View className="muted detail__audience-refusal" data-testid="audience-refusal">
                  {refusal}
                </View>
              ) : null}
              {task.allocation === 'draw' && !task.drawnAt ? null : (
                <GrabButton
                  outsideAudience={Boolean(refusal)}
                  size="large"
                  status={task.status}
                  remaining={task.remaining}
                  claimOpensAt={task.claimOpensAt}
                  endsAt={task.endsAt}
                  myClaimStatus={myClaim?.status}
                  pending={pending[id]}
                  onGrab={grab}
                />
              )}
              {canCancel ? (
                <View className={`btn btn-gray ${cancelling ? 'is-disabled' : ''}`} onClick={() => !cancelling && cancel()}>
                  {cancelling ? '取消中…' : '取消报名'}
                </View>
              ) : null}
              {isMySecretary ? (
                <View className="btn btn-plain" onClick={() => Taro.navigateTo({ url: `${ROUTES.claimants}?id=${task.id}` })}>
                  查看报名党员
                </View>
              ) : null}
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  );
}
