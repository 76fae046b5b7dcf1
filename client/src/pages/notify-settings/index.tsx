import { useEffect, useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { CATEGORY_KEYS, CATEGORY_LABELS, DIALOG, REMIND_CHOICES, type Category } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { getCalendarUrl, getPreferences, resetCalendarUrl, savePreferences } from '@/services/notifications';
import './index.scss';

const MAX_REMINDERS = 4;

/** 提醒设置: categories to hear about when a post opens, when to be reminded, and the calendar link. */
export default function NotifySettings() {
  const { ready, user } = useAuthReady();
  const registered = Boolean(user?.memberId);
  const prefs = useRequest(getPreferences, [user?.memberId], ready && registered);
  const [follow, setFollow] = useState<Category[]>([]);
  const [remind, setRemind] = useState<number[]>([]);
  const [saving, setSaving] = useState(false);
  const [calendarUrl, setCalendarUrl] = useState<string | null>(null);

  useEffect(() => {
    if (!prefs.data) return;
    setFollow(prefs.data.followCategories);
    setRemind(prefs.data.remindBeforeMinutes);
  }, [prefs.data]);

  const toggleCategory = (k: Category) => setFollow((list) => (list.includes(k) ? list.filter((x) => x !== k) : [...list, k]));
  const toggleRemind = (m: number) =>
    setRemind((list) => {
      if (list.includes(m)) return list.filter((x) => x !== m);
      if (list.length >= MAX_REMINDERS) {
        Taro.showToast({ title: `最多选择${MAX_REMINDERS}个提醒时间`, icon: 'none' });
        return list;
      }
      return [...list, m].sort((a, b) => b - a);
    });

  const save = async () => {
    setSaving(true);
    try {
      prefs.setData(await savePreferences({ followCategories: follow, remindBeforeMinutes: remind }));
      Taro.showToast({ title: '已保存', icon: 'success' });
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    } finally {
      setSaving(false);
    }
  };

  const copy = (url: string) => Taro.setClipboardData({ data: url });

  const showCalendar = async () => {
    try {
      const url = await getCalendarUrl();
      setCalendarUrl(url);
      await copy(url);
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    }
  };

  const resetCalendar = async () => {
    const { confirm } = await Taro.showModal({
      title: '重置日历链接',
      content: '旧链接将立即失效，已订阅的日历需要用新链接重新订阅。',
      confirmText: '确认重置',
      cancelText: DIALOG.keep,
    });
    if (!confirm) return;
    try {
      const url = await resetCalendarUrl();
      setCalendarUrl(url);
      await copy(url);
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    }
  };

  if (ready && !registered) {
    return (
      <View className="page">
        <StateView empty emptyText="完成报到后即可设置提醒" />
      </View>
    );
  }

  return (
    <View className="page notify-settings">
      <StateView loading={prefs.loading && !prefs.data} error={prefs.error} onRetry={prefs.reload}>
        <View className="card">
          <View className="card-title">关注的岗位类别</View>
          <View className="muted">本社区发布这些类别的岗位时通知我</View>
          <View className="chips">
            {CATEGORY_KEYS.map((k) => (
              <Text
                key={k}
                className={`chip ${follow.includes(k) ? 'is-active' : ''}`}
                data-on={follow.includes(k)}
                onClick={() => toggleCategory(k)}
              >
                {CATEGORY_LABELS[k]}
              </Text>
            ))}
          </View>
        </View>

        <View className="card">
          <View className="card-title">开始前提醒</View>
          <View className="muted">抢到的岗位开始前提醒我（可多选，不选则不提醒）</View>
          <View className="chips">
            {REMIND_CHOICES.map((c) => (
              <Text
                key={c.minutes}
                className={`chip ${remind.includes(c.minutes) ? 'is-active' : ''}`}
                data-on={remind.includes(c.minutes)}
                onClick={() => toggleRemind(c.minutes)}
              >
                {c.label}
              </Text>
            ))}
          </View>
        </View>

        <View className={`btn ${saving ? 'is-disabled' : ''}`} onClick={() => (saving ? undefined : save())}>
          {saving ? '保存中…' : '保存设置'}
        </View>

        <View className="card notify-settings__calendar">
          <View className="card-title">添加到日历</View>
          <View className="muted">
            复制专属订阅链接，在手机日历或电脑日历中“添加订阅日历”，抢到的岗位会自动出现在日历里。链接请勿转发给他人。
          </View>
          {calendarUrl ? <View className="notify-settings__url">{calendarUrl}</View> : null}
          <View className="row notify-settings__actions">
            <View className="btn btn-plain btn-small" onClick={showCalendar}>
              {calendarUrl ? '再次复制' : '复制日历链接'}
            </View>
            {calendarUrl ? (
              <View className="btn btn-gray btn-small" onClick={resetCalendar}>
                重置链接
              </View>
            ) : null}
          </View>
        </View>
      </StateView>
    </View>
  );
}
