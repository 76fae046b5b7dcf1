import { useEffect, useRef, useState } from 'react';
import { View, Text, Input } from '@tarojs/components';
import type { PartyOrg, PartyOrgKind } from '@pioneer/shared';
import { searchPartyOrgs } from '@/services/directory';
import { errorMessage } from '@/services/http';
import Icon from '@/components/Icon';
import './index.scss';

interface Props {
  kind: PartyOrgKind;
  value: { id: string; name: string } | null;
  placeholder?: string;
  onChange: (org: PartyOrg) => void;
}

/** Type-ahead search over `/party-orgs`; debounced so each keystroke is not a request. */
export default function OrgPicker({ kind, value, placeholder = '输入单位名称搜索', onChange }: Props) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [items, setItems] = useState<PartyOrg[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  // The tap that picks an item can land again on the collapsed field that replaces the list
  // (a ghost click on H5); without this guard the picker would reopen at once. The field shows
  // whether it takes a tap (`data-armed`), so a walk can wait for that instead of a delay.
  const [armed, setArmed] = useState(true);
  useEffect(() => {
    if (armed) return undefined;
    const timer = setTimeout(() => setArmed(true), 400);
    return () => clearTimeout(timer);
  }, [armed]);

  const close = () => {
    setArmed(false);
    setOpen(false);
  };
  const reopen = () => {
    if (armed) setOpen(true);
  };

  useEffect(() => {
    if (!open) return undefined;
    const id = ++seq.current;
    const timer = setTimeout(async () => {
      setLoading(true);
      try {
        const res = await searchPartyOrgs(kind, q);
        if (id === seq.current) {
          setItems(res.items);
          setError(null);
        }
      } catch (err) {
        if (id === seq.current) setError(errorMessage(err));
      } finally {
        if (id === seq.current) setLoading(false);
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [q, open, kind]);

  if (!open) {
    return (
      <View className="org-picker__value field-input" data-armed={armed ? 'true' : 'false'} onClick={reopen}>
        <Text className={value ? '' : 'muted'}>{value ? value.name : '点击选择'}</Text>
        <Icon name="chevron" color="#bfbfbf" size={28} />
      </View>
    );
  }

  return (
    <View className="org-picker">
      <Input className="field-input" value={q} focus placeholder={placeholder} onInput={(e) => setQ(e.detail.value)} />
      <View className="org-picker__list">
        {error ? <View className="org-picker__hint">{error}</View> : null}
        {!error && loading && items.length === 0 ? <View className="org-picker__hint">搜索中…</View> : null}
        {!error && !loading && items.length === 0 ? <View className="org-picker__hint">没有找到，换个关键词试试</View> : null}
        {items.map((org) => (
          <View
            key={org.id}
            className={`org-picker__item ${value?.id === org.id ? 'is-active' : ''}`}
            onClick={() => {
              onChange(org);
              close();
            }}
          >
            {org.name}
          </View>
        ))}
      </View>
      <View className="org-picker__close muted" onClick={close}>
        收起
      </View>
    </View>
  );
}
