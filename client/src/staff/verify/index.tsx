import { useEffect, useRef, useState } from 'react';
import { View, Text, Input } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { DIALOG, type PioneerCodeVerifyResponse } from '@pioneer/shared';
import BottomNav from '@/components/BottomNav';
import Icon from '@/components/Icon';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useNow } from '@/hooks/use-now';
import { IS_H5 } from '@/services/config';
import { ApiError, errorMessage } from '@/services/http';
import { verifyPioneerCode } from '@/services/members';
import { secretaryOrgId } from '@/services/session';
import { canVerify } from '@/utils/routes';
import RedeemPanel from './redeem-panel';
import { checkIn, checkOut } from '@/services/tasks';
import { formatClock } from '@/utils/time';
import { actionsFor, pickClaim, shortServiceMinutes, VERIFIED_STATUS_LABELS } from '@/utils/verify';
import './index.scss';

type Notice = { kind: 'ok' | 'error'; text: string } | null;

/** A short buzz for success, a long one for a problem: the secretary is looking at the member. */
function buzz(ok: boolean) {
  if (IS_H5) return;
  (ok ? Taro.vibrateShort({ type: 'medium' }) : Taro.vibrateLong()).catch(() => undefined);
}

function codeMessage(err: unknown): string {
  if (err instanceof ApiError && err.code === 'CODE_EXPIRED') return '先锋码已过期，请党员刷新先锋码后重新扫码';
  if (err instanceof ApiError && err.code === 'CODE_INVALID') return '不是有效的先锋码，请核对后重试';
  return errorMessage(err);
}

export function Verify({ initialCode, initialTaskId, orgId }: { initialCode?: string; initialTaskId?: string; orgId?: string | null }) {
  const [text, setText] = useState('');
  const [token, setToken] = useState<string | null>(null);
  const [result, setResult] = useState<PioneerCodeVerifyResponse | null>(null);
  // Kept across members: a queue at one post needs no re-selection.
  const [taskId, setTaskId] = useState<string | undefined>(initialTaskId);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const now = useNow(15000, Boolean(result));
  const started = useRef(false);

  const verify = async (raw: string) => {
    const value = raw.trim();
    if (!value) {
      setNotice({ kind: 'error', text: IS_H5 ? '请先粘贴先锋码' : '请先扫描先锋码' });
      return;
    }
    setBusy(true);
    setNotice(null);
    setResult(null);
    try {
      const answer = await verifyPioneerCode(value);
      setResult(answer);
      setToken(value);
      setTaskId((current) => pickClaim(answer.claims, current, Date.now()));
      buzz(true);
    } catch (err) {
      setToken(null);
      setNotice({ kind: 'error', text: codeMessage(err) });
      buzz(false);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (initialCode && !started.current) {
      started.current = true;
      verify(initialCode);
    }
  }, [initialCode]);

  const scan = async () => {
    let raw: string;
    try {
      raw = (await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] })).result;
    } catch {
      return; // the secretary closed the scanner
    }
    await verify(raw);
  };

  const selected = result?.claims.find((c) => c.taskId === taskId) ?? null;
  const actions = actionsFor(selected, now);

  const act = async (kind: 'in' | 'out') => {
    if (!token || !selected || busy) return;
    // A 签退 that would record under 10 minutes is usually a mistap (签退 for 签到): ask first.
    // Before the start the server refuses it (409, 岗位尚未开始) and its message is shown below.
    const minutes = shortServiceMinutes(selected, Date.now());
    if (kind === 'out' && minutes !== null) {
      const { confirm } = await Taro.showModal({
        title: '签退',
        content: `现在签退只记录 ${minutes} 分钟服务，且不能撤销。确认现在签退吗？`,
        confirmText: DIALOG.confirmCheckOut,
        cancelText: DIALOG.keep,
      });
      if (!confirm) return;
    }
    setBusy(true);
    setNotice(null);
    try {
      const claim = kind === 'in' ? await checkIn(selected.taskId, token) : await checkOut(selected.taskId, token);
      setResult((r) =>
        r
          ? {
              ...r,
              claims: r.claims.map((c) =>
                c.taskId === selected.taskId ? { ...c, status: claim.status as typeof c.status, checkedInAt: claim.checkedInAt } : c,
              ),
            }
          : r,
      );
      const who = result?.member.name ?? '';
      setNotice({
        kind: 'ok',
        text: kind === 'in' ? `${who} 签到成功` : `${who} 签退成功${claim.minutes !== null ? `，本次服务 ${claim.minutes} 分钟` : ''}`,
      });
      buzz(true);
    } catch (err) {
      setNotice({ kind: 'error', text: codeMessage(err) });
      buzz(false);
    } finally {
      setBusy(false);
    }
  };

  const next = () => {
    setResult(null);
    setToken(null);
    setText('');
    setNotice(null);
    if (!IS_H5) scan();
  };

  return (
    <View className="verify">
      {notice ? (
        <View
          className={`verify__notice verify__notice--${notice.kind}`}
          role={notice.kind === 'error' ? 'alert' : 'status'}
          data-testid="verify-notice"
        >
          <Icon name={notice.kind === 'ok' ? 'check' : 'alert'} color={notice.kind === 'ok' ? '#389e0d' : '#c8161d'} size={40} />
          <Text>{notice.text}</Text>
        </View>
      ) : null}

      {!result ? (
        <View className="card verify__scan">
          {IS_H5 ? (
            <>
              <View className="card-title">核验先锋码</View>
              <Input
                className="field-input"
                value={text}
                maxlength={300}
                placeholder="粘贴党员先锋码文本或链接"
                onInput={(e) => setText(e.detail.value)}
                onConfirm={() => !busy && verify(text)}
                data-testid="verify-input"
              />
              <View className={`btn verify__btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && verify(text)}>
                {busy ? '核验中…' : '核验'}
              </View>
            </>
          ) : (
            <View className={`verify__scan-btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && scan()}>
              <Icon name="scan" color="#ffffff" size={88} />
              <Text className="verify__scan-label">{busy ? '核验中…' : '扫一扫党员先锋码'}</Text>
            </View>
          )}
          <View className="muted verify__tip">党员打开“先锋码”页面出示二维码；先锋码每分钟更新，截图无效。</View>
        </View>
      ) : (
        <View className="card verify__card" data-testid="verify-card">
          <View className="verify__badge row">
            <Icon name="check" color="#389e0d" size={32} />
            <Text>身份已核验</Text>
          </View>
          <View className="verify__name">{result.member.name}</View>
          <View className="verify__kv">
            <Text className="muted">手机号</Text>
            <Text>{result.member.phone}</Text>
          </View>
          <View className="verify__kv">
            <Text className="muted">组织关系</Text>
            <Text>{result.member.unitOrg.name}</Text>
          </View>
          <View className="verify__kv">
            <Text className="muted">报到社区</Text>
            <Text>{`${result.member.community.name} · ${result.member.estate.name}`}</Text>
          </View>

          <View className="verify__section">今日报名的岗位</View>
          {result.claims.length === 0 ? (
            <View className="verify__none" data-testid="verify-no-claims">
              该党员今天没有报名本社区的岗位，无需签到。
            </View>
          ) : (
            result.claims.map((c) => (
              <View
                key={c.taskId}
                className={`verify__task ${taskId === c.taskId ? 'is-active' : ''}`}
                onClick={() => setTaskId(c.taskId)}
                data-testid="verify-claim"
              >
                <View className={`verify__radio ${taskId === c.taskId ? 'is-on' : ''}`} />
                <View className="verify__task-main">
                  <View className="verify__task-title">{c.title}</View>
                  <View className="muted">
                    {formatClock(c.startsAt)}–{formatClock(c.endsAt)}
                  </View>
                </View>
                <Text className={`verify__state verify__state--${c.status}`}>{VERIFIED_STATUS_LABELS[c.status]}</Text>
              </View>
            ))
          )}

          {result.claims.length > 0 ? (
            <>
              <View className="row verify__acts">
                <View
                  className={`btn verify__act ${actions.checkIn && !busy ? '' : 'is-disabled'}`}
                  aria-disabled={!actions.checkIn}
                  onClick={() => actions.checkIn && act('in')}
                  data-testid="verify-check-in"
                >
                  签到
                </View>
                <View
                  className={`btn btn-plain verify__act ${actions.checkOut && !busy ? '' : 'is-disabled'}`}
                  aria-disabled={!actions.checkOut}
                  onClick={() => actions.checkOut && act('out')}
                  data-testid="verify-check-out"
                >
                  签退
                </View>
              </View>
              {actions.hint ? <View className="muted verify__hint">{actions.hint}</View> : null}
            </>
          ) : null}
          {orgId && token ? (
            <RedeemPanel orgId={orgId} token={token} memberName={result.member.name} onNotice={(kind, text) => setNotice({ kind, text })} />
          ) : null}
          <View className="btn btn-gray verify__next" onClick={next}>
            核验下一位
          </View>
        </View>
      )}
    </View>
  );
}

export default function VerifyPage() {
  const { taskId, code } = useRouter().params;
  const { ready, user, error, retry } = useAuthReady();
  return (
    <View className="page verify-page">
      {!ready ? (
        <StateView loading error={error} onRetry={retry} />
      ) : canVerify(user) ? (
        <Verify initialCode={code ? decodeURIComponent(code) : undefined} initialTaskId={taskId} orgId={secretaryOrgId(user)} />
      ) : (
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">扫码核验仅供社区书记和管理员使用</View>
        </View>
      )}
      <BottomNav current="verify" />
    </View>
  );
}
