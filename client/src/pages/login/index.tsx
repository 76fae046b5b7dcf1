import { useState } from 'react';
import { View, Text, Input } from '@tarojs/components';
import Taro, { useLoad, useRouter } from '@tarojs/taro';
import { signInDev, signInSilently } from '@/services/auth';
import { IS_H5 } from '@/services/config';
import { errorMessage } from '@/services/http';
import { getSession } from '@/services/session';
import { landingFor, ROUTES } from '@/utils/routes';
import './index.scss';

const QUICK = [
  { name: 'admin', label: '市级管理员' },
  { name: 'secretary', label: '社区书记' },
  { name: 'member1', label: '党员' },
];

/** The login code as the README writes it (`dev:admin`) or just the name after it. */
export function devName(input: string): string {
  return input.trim().replace(/^dev[:：]\s*/i, '');
}

/** Back where the sign-in was asked for, else the user's own landing page (by role). */
function afterLogin(redirect?: string) {
  const landing = landingFor(getSession().user);
  const target = redirect ? decodeURIComponent(redirect) : landing;
  Taro.reLaunch({ url: target.startsWith(ROUTES.login) || target.startsWith(ROUTES.home) ? landing : target });
}

export default function Login() {
  const router = useRouter();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useLoad(() => {
    if (!IS_H5) {
      setBusy(true);
      signInSilently()
        .then(() => afterLogin(router.params.redirect))
        .catch((err) => setError(errorMessage(err)))
        .finally(() => setBusy(false));
    }
  });

  const submit = async (input: string) => {
    const who = devName(input);
    if (!who) {
      setError('请输入登录码');
      return;
    }
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(who)) {
      setError('登录码只能包含字母、数字、下划线和短横线，如 dev:zhangsan');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signInDev(who);
      afterLogin(router.params.redirect);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page login">
      <View className="login__hero">
        <View className="login__title">先锋领航·码上到</View>
        <View className="login__subtitle">在职党员社区报到服务平台</View>
      </View>
      {IS_H5 ? (
        <View className="card">
          <View className="card-title">开发环境登录</View>
          <View className="muted">仅用于演示与测试：输入登录码（如 dev:admin），新名字即新用户。</View>
          <View className="field">
            <Input
              className="field-input"
              placeholder="登录码，如 dev:zhangsan"
              value={name}
              onInput={(e) => setName(e.detail.value)}
              onConfirm={() => submit(name)}
            />
          </View>
          {error ? <View className="field-error">{error}</View> : null}
          <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit(name)}>
            {busy ? '登录中…' : '登录'}
          </View>
          <View className="login__quick">
            {QUICK.map((q) => (
              <View key={q.name} className="chip" onClick={() => !busy && submit(q.name)}>
                {q.label}（dev:{q.name}）
              </View>
            ))}
          </View>
        </View>
      ) : (
        <View className="card login__wechat">
          <Text>{busy ? '正在通过微信登录…' : (error ?? '登录完成')}</Text>
          {error ? (
            <View className="btn" style={{ marginTop: '32px' }} onClick={() => Taro.reLaunch({ url: ROUTES.login })}>
              重试
            </View>
          ) : null}
        </View>
      )}
    </View>
  );
}
