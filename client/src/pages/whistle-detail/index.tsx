import { useState } from 'react';
import { View, Text, Textarea, Picker } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import {
  ASSIGNMENT_PART_LABELS,
  ASSIGNMENT_STATUS_LABELS,
  whistleCategoryLabel,
  MEETING_STATUS_LABELS,
  WHISTLE_STATUS_LABELS,
  type Assignment,
  type WhistleDetail,
  type WhistleEvent,
} from '@pioneer/shared';
import OrgPicker from '@/components/OrgPicker';
import Icon from '@/components/Icon';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { askSubscribe, SUBSCRIBE_ON } from '@/services/notifications';
import { listTasks } from '@/services/tasks';
import {
  answerAssignment,
  closeWhistle,
  decideExtension,
  extendAssignment,
  getWhistle,
  rateWhistle,
  readdressWhistle,
  reopenWhistle,
  returnAssignment,
  signAssignment,
  unitOrgIds,
  verifyWhistle,
} from '@/services/whistles';
import { formatDateTime, toIsoWithOffset, todayString } from '@/utils/time';
import './index.scss';

const ACTION_LABELS: Record<string, string> = {
  raise: '吹哨',
  sign: '签收',
  answer: '反馈',
  return: '退单',
  extend: '申请延期',
  approve: '同意延期',
  deny: '驳回延期',
  verify: '核查',
  close: '办结',
  rate: '回访评价',
  reopen: '重新打开',
  readdress: '改派',
};

function eventText(e: WhistleEvent): string {
  const d = e.data as { text?: string; reason?: string; note?: string; satisfaction?: number; until?: string };
  if (e.action === 'answer') return d.text ?? '';
  if (e.action === 'return' || e.action === 'extend')
    return [d.until ? `延至 ${formatDateTime(d.until)}` : '', d.reason ?? ''].filter(Boolean).join('，');
  if (e.action === 'rate') return `满意度 ${'★'.repeat(d.satisfaction ?? 0)}${d.note ? `，${d.note}` : ''}`;
  return d.note ?? '';
}

/** The unit's own assignment: 签收, 反馈 (text and linked posts), 退单, 申请延期. */
function UnitActions({ detail, a, onDone }: { detail: WhistleDetail; a: Assignment; onDone: (d: WhistleDetail) => void }) {
  const [mode, setMode] = useState<'none' | 'answer' | 'return' | 'extend'>('none');
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [date, setDate] = useState(todayString(7));
  const [busy, setBusy] = useState(false);
  const w = detail.whistle;
  const posts = useRequest(
    () => listTasks(w.raisedBy.kind === 'community' ? { communityOrgId: w.raisedBy.id, open: true, limit: 50 } : { open: true, limit: 50 }),
    [w.raisedBy.id],
    mode === 'answer',
  );
  const run = async (fn: () => Promise<WhistleDetail>, done: string) => {
    // Every step here is a tap by the unit's staff: the moment WeChat lets them subscribe to the next steps.
    void askSubscribe(SUBSCRIBE_ON.whistle);
    setBusy(true);
    try {
      onDone(await fn());
      setMode('none');
      setText('');
      Taro.showToast({ title: done, icon: 'success' });
    } catch (e) {
      Taro.showModal({ title: '操作未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };
  const active = w.status === 'open' || w.status === 'answered';
  if (!active || a.status === 'answered' || a.status === 'returned') return null;

  return (
    <View className="whistle-detail__actions">
      <View className="row whistle-detail__buttons">
        {a.status === 'pending' ? (
          <View className="btn btn-small whistle-detail__sign" onClick={() => !busy && run(() => signAssignment(w.id, a.orgId), '已签收')}>
            签收
          </View>
        ) : (
          <View className="btn btn-small whistle-detail__answer" onClick={() => setMode('answer')}>
            反馈
          </View>
        )}
        {w.status === 'open' ? (
          <View className="btn btn-plain btn-small" onClick={() => setMode('return')}>
            退单
          </View>
        ) : null}
        <View className="btn btn-plain btn-small" onClick={() => setMode('extend')}>
          申请延期
        </View>
      </View>
      {mode !== 'none' ? (
        <View className="whistle-detail__form">
          {mode === 'extend' ? (
            <Picker mode="date" value={date} start={todayString()} onChange={(e) => setDate(String(e.detail.value))}>
              <View className="field-input">延期至 {date}</View>
            </Picker>
          ) : null}
          <Textarea
            className="field-textarea whistle-detail__text"
            value={text}
            maxlength={2000}
            placeholder={mode === 'answer' ? '办理情况' : mode === 'return' ? '退单理由' : '延期理由'}
            onInput={(e) => setText(e.detail.value)}
          />
          {mode === 'answer' ? (
            <View className="whistle-detail__posts">
              <View className="muted">关联岗位（选填）</View>
              <View className="chips">
                {(posts.data?.items ?? []).map((t) => (
                  <View
                    key={t.id}
                    className={`chip ${picked.includes(t.id) ? 'is-active' : ''}`}
                    onClick={() => setPicked(picked.includes(t.id) ? picked.filter((x) => x !== t.id) : [...picked, t.id])}
                  >
                    {t.title}
                  </View>
                ))}
              </View>
            </View>
          ) : null}
          <View
            className={`btn btn-small whistle-detail__submit ${busy || !text.trim() ? 'is-disabled' : ''}`}
            onClick={() => {
              if (busy || !text.trim()) return;
              if (mode === 'answer') run(() => answerAssignment(w.id, a.orgId, { text, taskIds: picked }), '已反馈');
              else if (mode === 'return') run(() => returnAssignment(w.id, a.orgId, text), '已退单');
              else run(() => extendAssignment(w.id, a.orgId, toIsoWithOffset(date, '18:00'), text), '已申请');
            }}
          >
            提交
          </View>
        </View>
      ) : null}
    </View>
  );
}

/** The raiser's side: 核查, 办结, 回访, 重新打开, 改派, extension decisions. */
function RaiserActions({ detail, onDone }: { detail: WhistleDetail; onDone: (d: WhistleDetail) => void }) {
  const [stars, setStars] = useState(5);
  const [busy, setBusy] = useState(false);
  const w = detail.whistle;
  const run = async (fn: () => Promise<WhistleDetail>, done: string) => {
    // A raiser's tap (核查, 办结, 改派, …): the moment to hold credits for the units' next answers.
    void askSubscribe(SUBSCRIBE_ON.whistle);
    setBusy(true);
    try {
      onDone(await fn());
      Taro.showToast({ title: done, icon: 'success' });
    } catch (e) {
      Taro.showModal({ title: '操作未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };
  const returned =
    detail.assignments.some((a) => a.status === 'returned') &&
    !detail.assignments.some((a) => a.part === 'lead' && a.status !== 'returned');

  return (
    <View className="card">
      <View className="card-title">吹哨方操作</View>
      {w.status === 'answered' ? (
        <View className="btn whistle-detail__verify" onClick={() => !busy && run(() => verifyWhistle(w.id), '已核查')}>
          核查属实
        </View>
      ) : null}
      {w.status === 'verified' ? (
        <View className="btn whistle-detail__close" onClick={() => !busy && run(() => closeWhistle(w.id), '已办结')}>
          办结
        </View>
      ) : null}
      {w.status === 'closed' ? (
        <View>
          <View className="whistle-detail__stars">
            {[1, 2, 3, 4, 5].map((n) => (
              <Text key={n} className={`whistle-detail__star ${n <= stars ? 'is-on' : ''}`} onClick={() => setStars(n)}>
                ★
              </Text>
            ))}
          </View>
          <View
            className="btn whistle-detail__rate"
            onClick={() => !busy && run(() => rateWhistle(w.id, { satisfaction: stars }), '已评价')}
          >
            提交回访评价
          </View>
        </View>
      ) : null}
      {w.status === 'closed' || w.status === 'rated' ? (
        <View className="btn btn-plain whistle-detail__reopen" onClick={() => !busy && run(() => reopenWhistle(w.id), '已重新打开')}>
          重新打开（办结 7 天内）
        </View>
      ) : null}
      {w.status === 'open' && returned ? (
        <View>
          <View className="muted">牵头单位已退单，请改派新的牵头单位</View>
          <OrgPicker
            kind="unit"
            value={null}
            placeholder="搜索单位党组织"
            onChange={(org) => run(() => readdressWhistle(w.id, [{ orgId: org.id, part: 'lead' }]), '已改派')}
          />
        </View>
      ) : null}
      {detail.assignments.flatMap((a) =>
        a.extensions
          .filter((e) => e.status === 'pending')
          .map((e) => (
            <View key={e.id} className="whistle-detail__ext">
              <View>
                {a.orgName} 申请延期至 {formatDateTime(e.until)}：{e.reason}
              </View>
              <View className="row whistle-detail__buttons">
                <View className="btn btn-small" onClick={() => !busy && run(() => decideExtension(w.id, e.id, true), '已同意')}>
                  同意
                </View>
                <View className="btn btn-plain btn-small" onClick={() => !busy && run(() => decideExtension(w.id, e.id, false), '已驳回')}>
                  驳回
                </View>
              </View>
            </View>
          )),
      )}
      {w.status === 'open' && !returned && !detail.assignments.some((a) => a.extensions.some((e) => e.status === 'pending')) ? (
        <View className="muted">等待单位签收、反馈</View>
      ) : null}
      {w.status === 'rated' ? <View className="muted">满意度 {'★'.repeat(w.satisfaction ?? 0)}</View> : null}
      {w.status === 'open' || w.status === 'answered' ? (
        <View className="accent whistle-detail__publish" onClick={() => Taro.navigateTo({ url: `/staff/publish/index?whistleId=${w.id}` })}>
          发布关联岗位 ›
        </View>
      ) : null}
      {w.status !== 'closed' && w.status !== 'rated' ? (
        <View
          className="accent whistle-detail__to-need"
          onClick={() => Taro.navigateTo({ url: `/staff/need-new/index?whistleId=${w.id}` })}
        >
          发布为社区需求（由报到单位认领）›
        </View>
      ) : null}
    </View>
  );
}

export default function WhistleDetailPage() {
  const { ready, user } = useAuthReady();
  const id = useRouter().params.id ?? '';
  const detail = useRequest(() => getWhistle(id), [id], ready && Boolean(id));
  const d = detail.data;
  const mine = unitOrgIds(user);
  const raiser = Boolean(
    d &&
    user?.roles.some(
      (g) =>
        g.role === 'city_admin' ||
        (g.role === 'secretary' && g.orgId === d.whistle.raisedBy.id) ||
        (g.role === 'district_admin' && g.orgId === d.whistle.districtId),
    ),
  );

  return (
    <View className="page whistle-detail">
      <StateView loading={!ready || (detail.loading && !d)} error={detail.error} onRetry={detail.reload}>
        {d ? (
          <>
            <View className="card">
              <View className="row between">
                <Text className="tag">{whistleCategoryLabel(d.whistle.category)}</Text>
                <Text className={`whistle-detail__status whistle-detail__status--${d.whistle.status}`}>
                  {WHISTLE_STATUS_LABELS[d.whistle.status]}
                </Text>
              </View>
              <View className="whistle-detail__title">{d.whistle.title}</View>
              <View className="muted row">
                <Icon name="location" color="#8c8c8c" size={26} />
                <Text>{d.whistle.location}</Text>
              </View>
              <View className="whistle-detail__desc">{d.whistle.description}</View>
              <View className="muted">
                {d.whistle.raisedBy.name} 吹哨 · 办理时限 {formatDateTime(d.whistle.dueAt)}
                {d.whistle.overdue ? <Text className="accent"> · 已超期</Text> : null}
              </View>
            </View>

            <View className="card">
              <View className="card-title">报到单位</View>
              {d.assignments.map((a) => (
                <View key={a.orgId} className="whistle-detail__assignment">
                  <View className="row between">
                    <Text>
                      {ASSIGNMENT_PART_LABELS[a.part]} · {a.orgName}
                    </Text>
                    <Text className={`whistle-detail__astatus ${a.overdue ? 'is-overdue' : ''}`}>
                      {ASSIGNMENT_STATUS_LABELS[a.status]}
                      {a.overdue ? ' · 超期' : ''}
                    </Text>
                  </View>
                  <View className="muted">时限 {formatDateTime(a.dueAt)}</View>
                  {a.answerText ? <View className="whistle-detail__answer-text">反馈：{a.answerText}</View> : null}
                  {a.returnReason ? <View className="whistle-detail__answer-text">退单理由：{a.returnReason}</View> : null}
                  {mine.includes(a.orgId) ? <UnitActions detail={d} a={a} onDone={detail.setData} /> : null}
                </View>
              ))}
            </View>

            {raiser ? <RaiserActions detail={d} onDone={detail.setData} /> : null}

            {d.meetings?.length || raiser ? (
              <View className="card">
                <View className="card-title">共商共办</View>
                {(d.meetings ?? []).map(({ meeting, actions }) => (
                  <View
                    key={meeting.id}
                    className="whistle-detail__task"
                    onClick={() => Taro.navigateTo({ url: `/staff/meeting/index?id=${meeting.id}` })}
                  >
                    <Text>
                      {meeting.title}（{MEETING_STATUS_LABELS[meeting.status]}）
                    </Text>
                    <Text className="muted">
                      {formatDateTime(meeting.startsAt)}
                      {actions.length ? ` · 任务 ${actions.length} 项，进度 ${meeting.progress ?? 0}%` : ''}
                    </Text>
                    {actions.map((a) => (
                      <View key={a.id} className="muted">
                        · {a.title}：{a.owner.name} {a.progress}%{a.overdue ? '（超期）' : ''}
                      </View>
                    ))}
                  </View>
                ))}
                {raiser &&
                user?.roles.some((g) => g.role === 'secretary' || g.role === 'district_admin') &&
                (d.whistle.status === 'open' || d.whistle.status === 'answered') ? (
                  <View
                    className="accent whistle-detail__publish"
                    onClick={() => Taro.navigateTo({ url: `/staff/meeting-new/index?whistleId=${d.whistle.id}` })}
                  >
                    召开现场协调会 ›
                  </View>
                ) : null}
              </View>
            ) : null}

            {d.tasks.length ? (
              <View className="card">
                <View className="card-title">关联岗位</View>
                {d.tasks.map((t) => (
                  <View
                    key={t.id}
                    className="whistle-detail__task"
                    onClick={() => Taro.navigateTo({ url: `/pages/task-detail/index?id=${t.id}` })}
                  >
                    <Text>{t.title}</Text>
                    <Text className="muted">
                      已报名 {t.claimed}/{t.capacity}
                      {t.filledAt ? ' · 已满员' : ''}
                    </Text>
                  </View>
                ))}
              </View>
            ) : null}

            <View className="card">
              <View className="card-title">办理过程</View>
              {d.events.map((e) => (
                <View key={e.id} className="whistle-detail__event">
                  <View className="whistle-detail__dot" />
                  <View>
                    <View>
                      <Text className="whistle-detail__event-action">{ACTION_LABELS[e.action] ?? e.action}</Text>
                      <Text className="muted"> {e.actor.org?.name ?? ''}</Text>
                    </View>
                    <View className="muted">{formatDateTime(e.at)}</View>
                    {eventText(e) ? <View className="whistle-detail__event-text">{eventText(e)}</View> : null}
                  </View>
                </View>
              ))}
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  );
}
