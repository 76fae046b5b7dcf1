import { useEffect, useRef, useState } from 'react';
import { View, Text, Input } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { District, PartyOrg } from '@pioneer/shared';
import Icon from '@/components/Icon';
import { listDistricts, searchPartyOrgs } from '@/services/directory';
import { errorMessage } from '@/services/http';
import { ROUTES } from '@/utils/routes';
import './index.scss';

/** What a visitor types from the poster: the code alone, or the whole link under the QR. */
export function registerCodeFromInput(raw: string): string | null {
  const value = raw.trim();
  const fromLink = /\/r\/([A-Za-z0-9_-]{1,32})(?:[/?#].*)?$/.exec(value);
  if (fromLink) return fromLink[1];
  return /^[A-Za-z0-9_-]{1,32}$/.test(value) ? value : null;
}

/**
 * For a visitor without the poster's QR at hand (e.g. on a computer): find the community by name,
 * or type the 报到码 printed under the QR; either leads to the registration form.
 */
export default function FindCommunity() {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<PartyOrg[]>([]);
  const [districts, setDistricts] = useState<Record<string, string>>({});
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    listDistricts()
      .then((list: District[]) => setDistricts(Object.fromEntries(list.map((d) => [d.id, d.name]))))
      .catch(() => undefined);
  }, []);

  const search = (value: string) => {
    const id = ++seq.current;
    setLoading(true);
    setError(null);
    searchPartyOrgs('community', value)
      .then((res) => {
        if (id === seq.current) setItems(res.items);
      })
      .catch((err) => {
        if (id !== seq.current) return;
        setItems([]);
        setError(errorMessage(err));
      })
      .finally(() => {
        if (id === seq.current) setLoading(false);
      });
  };

  useEffect(() => {
    if (!q.trim()) {
      seq.current += 1;
      setItems([]);
      setError(null);
      setLoading(false);
      return undefined;
    }
    const timer = setTimeout(() => search(q), 300);
    return () => clearTimeout(timer);
  }, [q]);

  const pick = (org: PartyOrg) => Taro.navigateTo({ url: `${ROUTES.register}?community=${org.id}&name=${encodeURIComponent(org.name)}` });

  const useCode = () => {
    const found = registerCodeFromInput(code);
    if (!found) {
      setCodeError('报到码格式不对，请核对海报二维码下方的报到码');
      return;
    }
    Taro.navigateTo({ url: `${ROUTES.register}?code=${encodeURIComponent(found)}` });
  };

  return (
    <View className="page find">
      <View className="card">
        <View className="card-title">按名称查找</View>
        <View className="field-input row find__search">
          <Icon name="search" color="#8c8c8c" size={32} />
          <Input
            className="find__input"
            value={q}
            placeholder="输入社区名称，如 清和坊"
            onInput={(e) => setQ(e.detail.value)}
            data-testid="find-q"
          />
        </View>
        {error ? (
          <View className="find__hint" role="alert">
            {error}
            <Text className="accent find__retry" onClick={() => search(q)}>
              重试
            </Text>
          </View>
        ) : null}
        {!error && loading ? <View className="find__hint">搜索中…</View> : null}
        {!error && !loading && q.trim() && items.length === 0 ? <View className="find__hint">没有找到，换个关键词试试</View> : null}
        {items.map((org) => (
          <View key={org.id} className="find__item row between" onClick={() => pick(org)}>
            <View>
              <View className="find__name">{org.name}</View>
              {districts[org.districtId] ? <View className="muted">{districts[org.districtId]}</View> : null}
            </View>
            <Icon name="chevron" color="#bfbfbf" size={32} />
          </View>
        ))}
      </View>

      <View className="card">
        <View className="card-title">输入报到码</View>
        <View className="muted">社区报到海报的二维码下方印有报到码</View>
        <Input
          className="field-input find__code"
          value={code}
          placeholder="如 Qh3k9Xa2mP0w"
          maxlength={200}
          onInput={(e) => {
            setCode(e.detail.value);
            setCodeError(null);
          }}
          data-testid="find-code"
        />
        {codeError ? <View className="field-error">{codeError}</View> : null}
        <View className="btn find__go" onClick={useCode}>
          前往报到
        </View>
      </View>
    </View>
  );
}
