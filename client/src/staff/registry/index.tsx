import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { HOUSEHOLD_MATCH_LABELS, type CommunityMember, type HouseholdImportResult, type HouseholdMatch } from '@pioneer/shared';
import BuildingCoverage from '@/components/BuildingCoverage';
import ImportResult from '@/components/ImportResult';
import PersonalRead from '@/components/PersonalRead';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { IS_H5 } from '@/services/config';
import { errorMessage } from '@/services/http';
import { formatDateTime, todayString } from '@/utils/time';
import {
  download,
  getCommunityMembers,
  getHouseholdImports,
  importHouseholds,
  pickFile,
  readMemberPersonalData,
  revokeUserSessions,
  TEMPLATE_PATHS,
} from '@/services/registry';
import './index.scss';
import { isCityAdmin } from '@/services/session';

const FILTERS: Array<HouseholdMatch | undefined> = [undefined, 'matched', 'unmatched', 'conflict'];
const fail = (e: unknown) => Taro.showToast({ title: errorMessage(e), icon: 'none' });

/** 强制下线 (city admin only, as the server allows): ends the member's sessions on every device, after a confirmation. */
async function forceSignOut(m: CommunityMember) {
  const { confirm } = await Taro.showModal({
    title: `强制下线 ${m.name}`,
    content: '将使该党员在所有设备上退出登录',
    confirmText: '强制下线',
  });
  if (!confirm) return;
  try {
    await revokeUserSessions(m.userId);
    Taro.showToast({ title: '已强制下线', icon: 'success' });
  } catch (e) {
    fail(e);
  }
}

/**
 * A community's homeowner registry: coverage per building, its members by match, the upload
 * (H5: a dry run first, then the import), the imports recorded so far with their rejected rows
 * (what the mini-program, which cannot upload, shows) and the Excel exports (H5 saves them, the
 * mini-program opens them in WeChat's document viewer).
 */
export default function Registry() {
  const { ready, user } = useAuthReady();
  const router = useRouter();
  const communityId = router.params.id ?? user?.roles.find((g) => g.role === 'secretary')?.orgId ?? null;
  const cityAdmin = isCityAdmin(user);
  const [match, setMatch] = useState<HouseholdMatch | undefined>(undefined);
  const [pending, setPending] = useState<File | null>(null);
  const [result, setResult] = useState<HouseholdImportResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [coverageKey, setCoverageKey] = useState(0);
  const members = useRequest(() => getCommunityMembers(communityId!, match), [communityId, match], ready && Boolean(communityId));
  const history = useRequest(() => getHouseholdImports(communityId!), [communityId], ready && Boolean(communityId));

  async function run(file: File, dryRun: boolean) {
    setBusy(true);
    try {
      setResult(await importHouseholds(communityId!, file, dryRun));
      setPending(dryRun ? file : null);
      if (!dryRun) {
        setCoverageKey((k) => k + 1);
        members.reload();
        history.reload();
      }
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  async function choose() {
    const file = await pickFile('.xlsx,.csv');
    if (file) await run(file, true);
  }

  if (!communityId)
    return (
      <View className="page">
        <View className="state-box">仅社区书记可查看业主信息库</View>
      </View>
    );
  const month = todayString().slice(0, 7);

  return (
    <View className="page registry">
      <BuildingCoverage key={coverageKey} communityId={communityId} />

      {IS_H5 ? (
        <View className="card">
          <View className="card-title">导入业主信息（CSV 或 Excel）</View>
          <View className="muted">表头：小区、楼栋、单元、室号、业主姓名、手机号。先试导入检查，再确认写入。</View>
          <View className="row registry__actions">
            <View
              className="btn btn-plain btn-small"
              onClick={() => download(TEMPLATE_PATHS.households, {}, '业主信息导入模板.xlsx').catch(fail)}
            >
              下载模板
            </View>
            <View className="btn btn-small" onClick={busy ? undefined : choose}>
              {busy ? '处理中…' : '选择文件试导入'}
            </View>
            {pending && result?.dryRun ? (
              <View className="btn btn-small" onClick={busy ? undefined : () => run(pending, false)}>
                确认导入
              </View>
            ) : null}
          </View>
        </View>
      ) : null}
      {result ? (
        <ImportResult
          dryRun={result.dryRun}
          figures={[
            ['新增', result.imported],
            ['更新', result.updated],
            ['未变', result.unchanged],
          ]}
          rejected={result.rejected}
        />
      ) : null}
      {!IS_H5 ? <View className="card muted">上传业主信息请在电脑浏览器中打开本页；这里显示每次导入的结果。</View> : null}
      {history.data?.items.length && !(result && !result.dryRun) ? (
        <ImportResult
          dryRun={false}
          at={history.data.items[0].at}
          figures={[
            ['新增', history.data.items[0].imported],
            ['更新', history.data.items[0].updated],
            ['未变', history.data.items[0].unchanged],
          ]}
          rejected={history.data.items[0].rejected}
          rejectedTotal={history.data.items[0].rejectedTotal}
        />
      ) : null}
      {history.data && history.data.items.length > 1 ? (
        <View className="card">
          <View className="card-title">导入记录</View>
          {history.data.items.slice(1).map((h) => (
            <View
              key={h.at}
              className="muted"
            >{`${formatDateTime(h.at)} · 新增 ${h.imported} · 更新 ${h.updated} · 未变 ${h.unchanged} · 有误 ${h.rejectedTotal}`}</View>
          ))}
        </View>
      ) : null}

      <View className="card">
        <View className="row between">
          <View className="card-title">报到党员与业主信息比对</View>
        </View>
        <View className="row registry__tabs">
          {FILTERS.map((f) => (
            <Text key={f ?? 'all'} className={`registry__tab${f === match ? ' registry__tab--on' : ''}`} onClick={() => setMatch(f)}>
              {f ? `${HOUSEHOLD_MATCH_LABELS[f]} ${members.data?.counts[f] ?? ''}` : '全部'}
            </Text>
          ))}
        </View>
        <StateView
          loading={members.loading && !members.data}
          error={members.error}
          onRetry={members.reload}
          empty={members.data?.items.length === 0}
          emptyText="没有符合条件的党员"
        >
          {members.data?.items.map((m) => (
            <View key={m.id} className="registry__member">
              <View className="row between">
                <Text className="registry__name">{m.name}</Text>
                <Text className={`registry__match registry__match--${m.householdMatch}`}>{HOUSEHOLD_MATCH_LABELS[m.householdMatch]}</Text>
              </View>
              <View className="muted">{`${m.phone} · ${m.estate.name} ${m.building}-${m.unitNo}-${m.room} · ${m.unitOrg.name}`}</View>
              <View className="row between registry__member-actions">
                <PersonalRead
                  read={async (reason) => {
                    const d = await readMemberPersonalData(communityId, m.id, reason);
                    return { phone: d.phone, lines: [`${d.home.estate} ${d.home.building}-${d.home.unitNo}-${d.home.room}`] };
                  }}
                />
                {cityAdmin ? (
                  <Text className="registry__revoke" onClick={() => void forceSignOut(m)}>
                    强制下线
                  </Text>
                ) : null}
              </View>
            </View>
          ))}
        </StateView>
      </View>

      <View className="card">
        <View className="card-title">导出 Excel</View>
        <View className="row registry__actions">
          <View
            className="btn btn-plain btn-small"
            onClick={() => download('/exports/members.xlsx', { scope: 'community', id: communityId }, '党员名册.xlsx').catch(fail)}
          >
            党员名册
          </View>
          <View
            className="btn btn-plain btn-small"
            onClick={() =>
              download(
                '/exports/records.xlsx',
                { scope: 'community', id: communityId, from: `${month}-01`, to: todayString() },
                `服务记录_${month}.xlsx`,
              ).catch(fail)
            }
          >
            本月服务记录
          </View>
        </View>
      </View>
    </View>
  );
}
