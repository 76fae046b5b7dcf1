import { useState } from 'react';
import { View, Text, Textarea } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro';
import { CATEGORY_LABELS, PROJECT_STATUS_LABELS, ProjectAcceptBodySchema, TERMS, type ProjectDetail } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import {
  acceptProject,
  closeProject,
  deliverProject,
  getProject,
  projectActions,
  returnProject,
  unitSides,
  type ProjectAction,
} from '@/services/units';
import { formatDateTime, formatRange } from '@/utils/time';
import { checkForm, stars } from '@/utils/units-form';
import '@/staff/units/index.scss';
import './index.scss';

/** Names of the project's recorded steps (its events). */
const EVENT_LABELS: Record<string, string> = {
  claim: '认领',
  start: '发布首个岗位，开始实施',
  deliver: '交付',
  accept: '验收',
  close: '销号',
  return: '退回需求',
};

type Open = 'deliver' | 'return' | 'accept' | null;

function Actions({ d, actions, onChanged }: { d: ProjectDetail; actions: ProjectAction[]; onChanged: () => void }) {
  const [open, setOpen] = useState<Open>(null);
  const [text, setText] = useState('');
  const [rating, setRating] = useState(0);
  const [busy, setBusy] = useState(false);
  const p = d.project;
  const run = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await fn();
      Taro.showToast({ title: done, icon: 'success' });
      setOpen(null);
      setText('');
      onChanged();
    } catch (e) {
      Taro.showModal({ title: '操作未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };
  const submit = () => {
    if (busy) return;
    if (open === 'accept') {
      const checked = checkForm(ProjectAcceptBodySchema, { rating, note: text.trim() || undefined }, { rating: '请选择评分（1–5 星）' });
      if (!checked.ok) return Taro.showToast({ title: checked.first, icon: 'none' });
      return run(() => acceptProject(p.id, checked.body), '已验收');
    }
    if (text.trim().length < 2) return Taro.showToast({ title: open === 'deliver' ? '请填写交付说明' : '请填写退回原因', icon: 'none' });
    return open === 'deliver'
      ? run(() => deliverProject(p.id, text.trim()), '已交付，待社区验收')
      : run(() => returnProject(p.id, text.trim()), '已退回');
  };
  if (!actions.length) return null;
  const publishUrl = `/staff/publish/index?projectId=${p.id}&communityOrgId=${p.community.id}`;
  return (
    <View className="card project__actions">
      {open ? (
        <>
          <View className="card-title">{open === 'deliver' ? '交付项目' : open === 'accept' ? '验收评价' : '退回需求'}</View>
          {open === 'accept' ? (
            <View className="project__stars">
              {[1, 2, 3, 4, 5].map((n) => (
                <Text key={n} className={`project__star ${n <= rating ? 'is-on' : ''}`} onClick={() => setRating(n)}>
                  ★
                </Text>
              ))}
            </View>
          ) : null}
          <Textarea
            className="field-textarea project__text"
            value={text}
            maxlength={open === 'deliver' ? 2000 : 500}
            placeholder={
              open === 'deliver' ? '完成情况：做了什么、服务多少人次、成效' : open === 'accept' ? '验收意见（选填）' : '退回的原因'
            }
            onInput={(e) => setText(e.detail.value)}
          />
          <View className="units__buttons">
            <View className={`btn btn-small project__submit ${busy ? 'is-disabled' : ''}`} onClick={submit}>
              {open === 'deliver' ? '确认交付' : open === 'accept' ? '确认验收' : '确认退回'}
            </View>
            <View className="btn btn-plain btn-small" onClick={() => setOpen(null)}>
              再想想
            </View>
          </View>
        </>
      ) : (
        <View className="units__buttons">
          {actions.includes('post') ? (
            <View className="btn btn-small project__post" onClick={() => Taro.navigateTo({ url: `${publishUrl}&audience=unit` })}>
              发布定向岗位
            </View>
          ) : null}
          {actions.includes('deliver') ? (
            <View className="btn btn-small project__deliver" onClick={() => setOpen('deliver')}>
              交付
            </View>
          ) : null}
          {actions.includes('return') ? (
            <View className="btn btn-plain btn-small project__return" onClick={() => setOpen('return')}>
              退回需求
            </View>
          ) : null}
          {actions.includes('accept') ? (
            <View className="btn btn-small project__accept" onClick={() => setOpen('accept')}>
              验收
            </View>
          ) : null}
          {actions.includes('close') ? (
            <View
              className={`btn btn-small project__close ${busy ? 'is-disabled' : ''}`}
              onClick={() => !busy && run(() => closeProject(p.id), '已销号')}
            >
              销号
            </View>
          ) : null}
        </View>
      )}
      {actions.includes('post') && p.status === 'claimed' && !open ? (
        <View className="muted">发布首个岗位后项目进入“{PROJECT_STATUS_LABELS.in_progress}”，实施完成后交付。</View>
      ) : null}
    </View>
  );
}

/** One project (项目清单): the need, the plan, its posts, its steps, and what the reader may do next. */
export default function ProjectPage() {
  const { ready, user } = useAuthReady();
  const id = useRouter().params.id ?? '';
  const res = useRequest(() => getProject(id), [id], ready && Boolean(id));
  useDidShow(() => {
    if (res.data) void res.reload();
  });
  usePullDownRefresh(async () => {
    await res.reload();
    Taro.stopPullDownRefresh();
  });
  const d = res.data;
  return (
    <View className="page project">
      <StateView loading={!ready || (res.loading && !d)} error={res.error} onRetry={res.reload}>
        {d ? (
          <>
            <View className="card">
              <View className="row between">
                <Text className="units__title project__title">{d.need.title}</Text>
                <Text className={`units__status units__status--${d.project.status} project__status`}>
                  {PROJECT_STATUS_LABELS[d.project.status]}
                </Text>
              </View>
              <View className="muted">
                {d.project.unit.name} 认领 · {d.project.community.name} · {CATEGORY_LABELS[d.need.category]}
              </View>
              <View className="muted">
                实施周期：{d.project.startsOn} 至 {d.project.endsOn}
                {d.project.resource ? ` · 投入资源：${d.project.resource.name}` : ''}
              </View>
              <View className="project__section">需求：{d.need.description}</View>
              <View className="project__section">实施方案：{d.project.plan}</View>
              {d.project.summary ? <View className="project__section">交付说明：{d.project.summary}</View> : null}
              {d.project.rating ? (
                <View className="project__section project__rating">
                  验收评价：{stars(d.project.rating)}
                  {d.project.ratingNote ? ` ${d.project.ratingNote}` : ''}
                </View>
              ) : null}
              {d.project.returnReason ? <View className="project__section">退回原因：{d.project.returnReason}</View> : null}
            </View>
            <Actions d={d} actions={projectActions(d.project, unitSides(user))} onChanged={res.reload} />
            <View className="card">
              <View className="card-title">项目岗位</View>
              {d.tasks.length === 0 ? <View className="muted">暂无岗位</View> : null}
              {d.tasks.map((t) => (
                <View key={t.id} className="project__task" onClick={() => Taro.navigateTo({ url: `/pages/task-detail/index?id=${t.id}` })}>
                  <View className="row between">
                    <Text>{t.title}</Text>
                    {t.audience === 'unit' ? <Text className="tag">定向·{d.project.unit.name}</Text> : null}
                  </View>
                  <View className="muted">
                    {formatRange(t.startsAt, t.endsAt)} · {TERMS.claimedCount(t.claimed)} · 名额 {t.capacity}
                  </View>
                </View>
              ))}
            </View>
            <View className="card">
              <View className="card-title">项目进程</View>
              {d.events.map((e, i) => (
                <View key={`${e.at}-${i}`} className="project__event">
                  <Text className="muted">{formatDateTime(e.at)}</Text>
                  <Text className="project__event-action">{EVENT_LABELS[e.action] ?? e.action}</Text>
                  {e.org ? <Text className="muted">{e.org.name}</Text> : null}
                </View>
              ))}
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  );
}
