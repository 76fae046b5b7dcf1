import { useState } from 'react';
import { View, Text, Picker, Textarea } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { CORRECTION_KIND_LABELS, formatMinutes } from '@pioneer/shared';
import Field from '@/components/Field';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { getMyMember } from '@/services/members';
import { askCorrection } from '@/services/records';
import { listTasks } from '@/services/tasks';
import { correctionBody, type CorrectionDraft, type DraftErrors } from '@/utils/records';
import { beijingDate, beijingTime, formatRange, todayString } from '@/utils/time';
import './index.scss';

/** How far back a 补录 may reach (the server's CORRECTION_WINDOW_DAYS default). */
const WINDOW_DAYS = 30;

interface Post {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
}

function draftFor(kind: CorrectionDraft['kind'], post: Post | null, from?: string, to?: string): CorrectionDraft {
  const start = from ?? post?.startsAt;
  const end = to ?? post?.endsAt;
  return {
    kind,
    taskId: post?.id ?? '',
    date: start ? beijingDate(start) : todayString(),
    start: start ? beijingTime(start) : '',
    end: end ? beijingTime(end) : '',
    reason: '',
  };
}

/** Posts of the member's community that ended within the window and hold no claim of its own. */
function usePastPosts(enabled: boolean) {
  return useRequest(
    async () => {
      const me = await getMyMember();
      const list = await listTasks({ communityOrgId: me.community.id, from: todayString(-WINDOW_DAYS), to: todayString(), limit: 100 });
      const now = Date.now();
      return list.items.filter((t) => Date.parse(t.startsAt) < now && t.status !== 'cancelled' && !t.mine);
    },
    [],
    enabled,
  );
}

export default function CorrectionNew() {
  const params = useRouter().params;
  const kind: CorrectionDraft['kind'] = params.kind === 'correct' ? 'correct' : 'supplement';
  const given: Post | null = params.taskId
    ? { id: params.taskId, title: decodeURIComponent(params.title ?? ''), startsAt: '', endsAt: '' }
    : null;
  const { ready } = useAuthReady();
  const posts = usePastPosts(ready && kind === 'supplement');
  const [draft, setDraft] = useState<CorrectionDraft>(() =>
    draftFor(kind, given, params.from ? decodeURIComponent(params.from) : undefined, params.to ? decodeURIComponent(params.to) : undefined),
  );
  const [errors, setErrors] = useState<DraftErrors>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof CorrectionDraft>(key: K, value: CorrectionDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const pick = (post: Post) => setDraft((d) => ({ ...draftFor(kind, post), reason: d.reason }));
  const chosen = kind === 'correct' ? given : (posts.data?.find((p) => p.id === draft.taskId) ?? null);

  const submit = async () => {
    if (busy) return;
    const { body, errors: found } = correctionBody(draft, Date.now());
    setErrors(found);
    if (!body) return;
    setBusy(true);
    try {
      await askCorrection(body);
      Taro.showToast({ title: '已提交，等待书记审核', icon: 'success' });
      setTimeout(() => Taro.navigateBack().catch(() => undefined), 800);
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
    } finally {
      setBusy(false);
    }
  };

  const { body } = correctionBody({ ...draft, reason: draft.reason || '--' }, Date.now());
  const minutes = body ? Math.round((Date.parse(body.checkedOutAt) - Date.parse(body.checkedInAt)) / 60000) : null;

  return (
    <View className="page correction-new">
      <View className="card">
        <View className="card-title">申请{CORRECTION_KIND_LABELS[kind]}</View>
        <View className="muted">
          {kind === 'correct'
            ? '签到或签退漏扫、时间有误时，写明实际服务时间和原因，由社区书记审核。'
            : '参加了本社区的服务却没有报名记录时，可在岗位结束后 30 天内申请补录。'}
        </View>
      </View>
      <View className="card">
        {kind === 'correct' ? (
          <Field label="岗位">
            <View className="correction-new__post">{given?.title}</View>
          </Field>
        ) : (
          <Field label="服务的岗位" required error={errors.taskId}>
            <StateView
              loading={posts.loading && !posts.data}
              error={posts.error}
              onRetry={posts.reload}
              empty={posts.data?.length === 0}
              emptyText="近 30 天没有可补录的岗位"
            >
              {posts.data?.map((p) => (
                <View
                  key={p.id}
                  className={`correction-new__option ${draft.taskId === p.id ? 'is-active' : ''}`}
                  onClick={() => pick(p)}
                  data-testid="supplement-post"
                >
                  <View>{p.title}</View>
                  <View className="muted">{formatRange(p.startsAt, p.endsAt)}</View>
                </View>
              ))}
            </StateView>
          </Field>
        )}
        {chosen || kind === 'correct' ? (
          <>
            <Field label="服务日期">
              <Picker mode="date" value={draft.date} end={todayString()} onChange={(e) => set('date', String(e.detail.value))}>
                <View className="field-input">{draft.date}</View>
              </Picker>
            </Field>
            <View className="row correction-new__times">
              <Field label="开始" error={errors.start} className="correction-new__time">
                <Picker mode="time" value={draft.start} onChange={(e) => set('start', String(e.detail.value))}>
                  <View className="field-input">{draft.start || '请选择'}</View>
                </Picker>
              </Field>
              <Field label="结束" error={errors.end} className="correction-new__time">
                <Picker mode="time" value={draft.end} onChange={(e) => set('end', String(e.detail.value))}>
                  <View className="field-input">{draft.end || '请选择'}</View>
                </Picker>
              </Field>
            </View>
            {minutes !== null ? <View className="muted">共 {formatMinutes(minutes)}（以书记审核为准）</View> : null}
          </>
        ) : null}
        <Field label="原因" required error={errors.reason}>
          <Textarea
            className="field-textarea correction-new__reason"
            value={draft.reason}
            maxlength={500}
            placeholder="例如：签退时手机没电，未能扫码"
            onInput={(e) => set('reason', e.detail.value)}
          />
        </Field>
      </View>
      <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={submit} data-testid="correction-submit">
        {busy ? '提交中…' : <Text>提交申请</Text>}
      </View>
    </View>
  );
}
