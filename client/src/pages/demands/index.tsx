import { useState } from 'react';
import { View, Text, Textarea } from '@tarojs/components';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { CATEGORY_LABELS, DEMAND_STATUS_LABELS, type Demand } from '@pioneer/shared';
import Icon from '@/components/Icon';
import PersonalRead from '@/components/PersonalRead';
import SecretaryGate from '@/components/SecretaryGate';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { listDemands, readDemandContact, triageDemand } from '@/services/demands';
import { listTasks } from '@/services/tasks';
import { listWhistles } from '@/services/whistles';
import { secretaryOrgId } from '@/services/session';
import { ROUTES } from '@/utils/routes';
import { formatDateTime } from '@/utils/time';
import './index.scss';

type Mode = 'post' | 'whistle' | 'reject';

/** One new demand: the secretary turns it into a post, a whistle, or a rejection with a note. */
function Triage({ orgId, demand, onDone }: { orgId: string; demand: Demand; onDone: (d: Demand) => void }) {
  const [mode, setMode] = useState<Mode | null>(null);
  const [note, setNote] = useState('');
  const [pick, setPick] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const posts = useRequest(() => listTasks({ communityOrgId: orgId, limit: 50 }), [orgId], mode === 'post');
  const whistles = useRequest(() => listWhistles({ scope: 'community', id: orgId, limit: 50 }), [orgId], mode === 'whistle');
  const options =
    mode === 'post'
      ? (posts.data?.items ?? []).map((t) => ({ id: t.id, name: t.title }))
      : mode === 'whistle'
        ? (whistles.data?.items ?? []).map((w) => ({ id: w.id, name: w.title }))
        : [];
  const ready = mode === 'reject' ? note.trim().length > 0 : Boolean(pick);

  const submit = async () => {
    if (!mode || !ready || busy) return;
    setBusy(true);
    try {
      const d = await triageDemand(demand.id, {
        action: mode,
        note: note.trim() || undefined,
        taskId: mode === 'post' ? pick! : undefined,
        whistleId: mode === 'whistle' ? pick! : undefined,
      });
      onDone(d);
      Taro.showToast({ title: '已处理', icon: 'success' });
    } catch (e) {
      Taro.showModal({ title: '处理未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View>
      {/* The two ways a demand usually goes: a new post or a new whistle, their forms filled in from it. */}
      <View className="row demands__primary">
        <View className="btn btn-small" onClick={() => Taro.navigateTo({ url: `${ROUTES.publish}?demandId=${demand.id}` })}>
          转为岗位
        </View>
        <View className="btn btn-small btn-plain" onClick={() => Taro.navigateTo({ url: `${ROUTES.whistleNew}?demandId=${demand.id}` })}>
          转为吹哨
        </View>
      </View>
      <View className="chips">
        {(['post', 'whistle', 'reject'] as Mode[]).map((m) => (
          <View
            key={m}
            className={`chip ${mode === m ? 'is-active' : ''}`}
            onClick={() => {
              setMode(m);
              setPick(null);
            }}
          >
            {m === 'post' ? '关联已发布岗位' : m === 'whistle' ? '关联已有吹哨' : '不予受理'}
          </View>
        ))}
      </View>
      {!mode ? (
        <View className="accent demands__to-need" onClick={() => Taro.navigateTo({ url: `/staff/need-new/index?demandId=${demand.id}` })}>
          发布为社区需求（由报到单位认领）›
        </View>
      ) : null}
      {mode === 'post' || mode === 'whistle' ? (
        <View className="chips demands__options">
          {options.length === 0 ? (
            <Text className="muted">
              {mode === 'post' ? '请先发布岗位' : '请先吹哨'}（
              <Text
                className="accent"
                onClick={() => Taro.navigateTo({ url: mode === 'post' ? '/staff/publish/index' : '/pages/whistle-new/index' })}
              >
                去{mode === 'post' ? '发布' : '吹哨'}
              </Text>
              ）
            </Text>
          ) : (
            options.map((o) => (
              <View key={o.id} className={`chip ${pick === o.id ? 'is-active' : ''}`} onClick={() => setPick(o.id)}>
                {o.name}
              </View>
            ))
          )}
        </View>
      ) : null}
      {mode ? (
        <>
          <Textarea
            className="field-textarea"
            value={note}
            maxlength={500}
            placeholder={mode === 'reject' ? '请说明原因（居民可见）' : '给居民的回复（选填）'}
            onInput={(e) => setNote(e.detail.value)}
          />
          <View className={`btn btn-small demands__submit ${!ready || busy ? 'is-disabled' : ''}`} onClick={submit}>
            确定
          </View>
        </>
      ) : null}
    </View>
  );
}

/** `triage`: the community's own secretary acts on new demands; an admin above it reads them. */
function DemandList({ orgId, triage }: { orgId: string; triage: boolean }) {
  const list = useRequest(() => listDemands(orgId), [orgId]);
  useDidShow(() => {
    if (list.data) list.reload();
  });
  const replace = (d: Demand) => list.setData((cur) => (cur ? { ...cur, items: cur.items.map((x) => (x.id === d.id ? d : x)) } : cur));
  return (
    <StateView
      loading={list.loading && !list.data}
      error={list.error}
      onRetry={list.reload}
      empty={list.data?.items.length === 0}
      emptyText="还没有居民点单"
    >
      {list.data?.items.map((d) => (
        <View key={d.id} className="card">
          <View className="row between">
            <Text className="tag">{d.category ? CATEGORY_LABELS[d.category] : '其他'}</Text>
            <Text className={`demands__status demands__status--${d.status}`}>{DEMAND_STATUS_LABELS[d.status]}</Text>
          </View>
          <View className="demands__text">{d.text}</View>
          <View className="muted">
            {d.requester ? `点单人：${d.requester}` : '点单人：居民（未报到）'} · {formatDateTime(d.createdAt)}
          </View>
          {d.estate || d.address ? (
            <View className="demands__line">
              <Icon name="location" color="#8c8c8c" size={26} />
              <Text>{[d.estate?.name, d.address].filter(Boolean).join(' ')}</Text>
            </View>
          ) : null}
          {d.contact ? (
            <View className="demands__line">
              <Icon name="phone" color="#8c8c8c" size={26} />
              <Text>
                联系人：{d.contact.name ?? '未留姓名'}
                {d.contact.phone ? ` ${d.contact.phone}` : ''}
              </Text>
            </View>
          ) : (
            <View className="muted">未留联系方式</View>
          )}
          {d.contact ? (
            <PersonalRead
              read={async (reason) => {
                const c = await readDemandContact(orgId, d.id, reason);
                return {
                  phone: c.phone,
                  lines: [c.name ? `联系人：${c.name}` : '', [c.estate, c.address].filter(Boolean).join(' ')].filter(Boolean),
                };
              }}
            />
          ) : null}
          {d.task ? <View className="muted">岗位：{d.task.name}</View> : null}
          {d.whistle ? <View className="muted">吹哨：{d.whistle.name}</View> : null}
          {d.note ? <View className="muted">回复：{d.note}</View> : null}
          {triage && d.status === 'new' ? <Triage orgId={orgId} demand={d} onDone={replace} /> : null}
        </View>
      ))}
    </StateView>
  );
}

/**
 * 居民点单: triage for the community's secretary; `?id=<community>` (from its 先锋指数 page) lets
 * a 板块 or city admin read that community's demands and, audited, their contacts.
 */
export default function Demands() {
  const { id } = useRouter().params;
  const { ready, user, error, retry } = useAuthReady();
  if (id) {
    if (!ready) return <StateView loading error={error} onRetry={retry} />;
    return (
      <View className="page demands">
        <DemandList orgId={id} triage={secretaryOrgId(user) === id} />
      </View>
    );
  }
  return (
    <View className="page demands">
      <SecretaryGate>{(orgId) => <DemandList orgId={orgId} triage />}</SecretaryGate>
    </View>
  );
}
