import { useEffect, useRef, useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import type { Message } from '@pioneer/shared';
import BottomNav from '@/components/BottomNav';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { setUnread } from '@/hooks/use-unread';
import { errorMessage } from '@/services/http';
import { listMessages, markRead } from '@/services/notifications';
import { formatDateTime } from '@/utils/time';
import './index.scss';

/** 消息: every notification of the signed-in user, newest first; opening one marks it read. */
export default function Messages() {
  const { ready } = useAuthReady();
  const [items, setItems] = useState<Message[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [unread, setUnreadHere] = useState(0);

  const apply = (n: number) => {
    setUnreadHere(n);
    setUnread(n);
  };

  const load = async (fresh: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const page = await listMessages(fresh ? null : cursor);
      setItems((list) => (fresh ? page.items : [...list, ...page.items]));
      setCursor(page.nextCursor);
      apply(page.unread);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
      Taro.stopPullDownRefresh();
    }
  };

  // Coming back to the page reloads; the first show can come before the sign-in finishes.
  const loadedAt = useRef(0);
  useDidShow(() => {
    if (ready && Date.now() - loadedAt.current > 2000) load(true);
  });
  useEffect(() => {
    if (!ready) return;
    loadedAt.current = Date.now();
    load(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready]);
  usePullDownRefresh(() => load(true));
  useReachBottom(() => {
    if (cursor && !loading) load(false);
  });

  const readNow = async (ids: string[]) => {
    if (ids.length === 0) return;
    const at = new Date().toISOString();
    setItems((list) => list.map((m) => (ids.includes(m.id) && !m.readAt ? { ...m, readAt: at } : m)));
    try {
      apply(await markRead(ids));
    } catch {
      // Shown as read here; the next load tells the truth.
    }
  };

  const open = (m: Message) => {
    if (!m.readAt) void readNow([m.id]);
    if (m.taskId) Taro.navigateTo({ url: `/pages/task-detail/index?id=${m.taskId}` });
    else if (m.whistleId) Taro.navigateTo({ url: `/pages/whistle-detail/index?id=${m.whistleId}` });
    else if (m.meetingId) Taro.navigateTo({ url: `/staff/meeting/index?id=${m.meetingId}` });
  };

  return (
    <View className="page messages">
      <View className="row between messages__head">
        {/* One text node: Taro H5 reorders a static text and an updated one beside it (it read “（1条未读）消息”). */}
        <Text className="card-title">{unread > 0 ? `消息（${unread}条未读）` : '消息'}</Text>
        {unread > 0 ? (
          <Text className="accent" onClick={() => readNow(items.filter((m) => !m.readAt).map((m) => m.id))}>
            全部已读
          </Text>
        ) : null}
      </View>
      <StateView
        loading={loading && items.length === 0}
        error={items.length === 0 ? error : null}
        onRetry={() => load(true)}
        empty={!loading && items.length === 0}
        emptyText="暂无消息。抢到岗位、岗位变更和开始前的提醒都会出现在这里"
      >
        {items.map((m) => (
          <View key={m.id} className={`card messages__item ${m.readAt ? '' : 'is-unread'}`} data-unread={!m.readAt} onClick={() => open(m)}>
            <View className="row between">
              <Text className="messages__title">
                {m.readAt ? null : <Text className="messages__dot" />}
                {m.title}
              </Text>
              <Text className="muted">{formatDateTime(m.createdAt)}</Text>
            </View>
            <View className="messages__body">{m.body}</View>
          </View>
        ))}
        {cursor ? (
          <View className="muted messages__more" onClick={() => load(false)}>
            {loading ? '加载中…' : '加载更多'}
          </View>
        ) : null}
      </StateView>
      <BottomNav current="messages" />
    </View>
  );
}
