import { useState } from 'react';
import { View, Text, Input } from '@tarojs/components';
import Taro, { useLoad, useRouter } from '@tarojs/taro';
import { signInDev, signInSilently } from '../../services/auth';
import { IS_H5 } from '../../services/config';
import { errorMessage } from '../../services/http';
import './index.scss';

const QUICK = [
  { name: 'admin', label: '市级管理员' },
  { name: 'secretary', label: '社区书记' },
];

function afterLogin(redirect?: string) {
  const target = redirect ? decodeURIComponent(redirect) : '/pages/index/index';
  Taro.reLaunch({ url: target.startsWith('/pages/login') ? '/pages/index/index' : target });
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

  const submit = async (who: string) => {
    if (!who.trim()) {
      setError('请输入登录名');
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
          <View className="muted">仅用于演示与测试：以登录名登录，新名字即新党员。</View>
          <View className="field">
            <Input
              className="field-input"
              placeholder="登录名，如 zhangsan"
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
                {q.label}（{q.name}）
              </View>
            ))}
          </View>
        </View>
      ) : (
        <View className="card login__wechat">
          <Text>{busy ? '正在通过微信登录…' : error ?? '登录完成'}</Text>
          {error ? (
            <View className="btn" style={{ marginTop: '32px' }} onClick={() => Taro.reLaunch({ url: '/pages/login/index' })}>
              重试
            </View>
          ) : null}
        </View>
      )}
    </View>
  );
}
