import { useState } from 'react';
import { View, Text, Input, Textarea, Picker } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { CATEGORY_KEYS, CATEGORY_LABELS, TaskCreateBodySchema, type Category } from '@pioneer/shared';
import Field from '../../components/Field';
import SecretaryGate from '../../components/SecretaryGate';
import { errorMessage } from '../../services/http';
import { createTask } from '../../services/tasks';
import { toIsoWithOffset, todayString } from '../../utils/time';
import { ROUTES } from '../../utils/routes';
import './index.scss';

interface Form {
  title: string;
  category: Category | '';
  description: string;
  location: string;
  date: string;
  start: string;
  end: string;
  capacity: string;
  openNow: boolean;
  openDate: string;
  openTime: string;
  cutoff: string;
}

type Errors = Partial<Record<keyof Form, string>>;

function validate(f: Form): Errors {
  const e: Errors = {};
  if (f.title.trim().length < 2 || f.title.trim().length > 60) e.title = '请填写 2–60 字的岗位名称';
  if (!f.category) e.category = '请选择岗位类别';
  if (!f.location.trim()) e.location = '请填写服务地点';
  if (f.end <= f.start) e.end = '结束时间必须晚于开始时间';
  const cap = Number(f.capacity);
  if (!Number.isInteger(cap) || cap < 1 || cap > 1000) e.capacity = '名额为 1–1000 的整数';
  if (f.cutoff && (!/^\d+$/.test(f.cutoff) || Number(f.cutoff) > 10080)) e.cutoff = '请填写 0–10080 之间的分钟数';
  if (!f.openNow && `${f.openDate}T${f.openTime}` >= `${f.date}T${f.end}`) e.openDate = '开抢时间必须早于结束时间';
  return e;
}

function PublishForm({ orgId }: { orgId: string }) {
  // Opened from a whistle's page: the post answers that whistle.
  const whistleId = useRouter().params.whistleId || undefined;
  const [form, setForm] = useState<Form>({
    title: '',
    category: '',
    description: '',
    location: '',
    date: todayString(1),
    start: '09:00',
    end: '11:00',
    capacity: '10',
    openNow: true,
    openDate: todayString(),
    openTime: '20:00',
    cutoff: '',
  });
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const submit = async () => {
    const found = validate(form);
    setErrors(found);
    if (Object.keys(found).length) return;
    const parsed = TaskCreateBodySchema.safeParse({
      communityOrgId: orgId,
      title: form.title,
      category: form.category,
      description: form.description,
      location: form.location,
      startsAt: toIsoWithOffset(form.date, form.start),
      endsAt: toIsoWithOffset(form.date, form.end),
      capacity: Number(form.capacity),
      claimOpensAt: form.openNow ? undefined : toIsoWithOffset(form.openDate, form.openTime),
      cancelCutoffMinutes: form.cutoff ? Number(form.cutoff) : undefined,
      whistleId,
    });
    if (!parsed.success) {
      Taro.showToast({ title: parsed.error.issues[0]?.message ?? '请检查填写内容', icon: 'none' });
      return;
    }
    setBusy(true);
    try {
      await createTask(parsed.data);
      Taro.showToast({ title: '发布成功', icon: 'success' });
      setTimeout(() => Taro.redirectTo({ url: ROUTES.manage }), 600);
    } catch (e) {
      Taro.showModal({ title: '发布未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <View className="card">
        <Field label="岗位名称" error={errors.title}>
          <Input className="field-input" value={form.title} placeholder="如：周末垃圾分类督导" onInput={(e) => set('title', e.detail.value)} />
        </Field>
        <Field label="岗位类别" error={errors.category}>
          <View className="chips">
            {CATEGORY_KEYS.map((key) => (
              <View key={key} className={`chip ${form.category === key ? 'is-active' : ''}`} onClick={() => set('category', key)}>
                {CATEGORY_LABELS[key]}
              </View>
            ))}
          </View>
        </Field>
        <Field label="服务地点" error={errors.location}>
          <Input className="field-input" value={form.location} placeholder="如：幸福小区东门" onInput={(e) => set('location', e.detail.value)} />
        </Field>
        <Field label="岗位说明（选填）">
          <Textarea
            className="field-textarea"
            value={form.description}
            maxlength={2000}
            placeholder="服务内容、注意事项等"
            onInput={(e) => set('description', e.detail.value)}
          />
        </Field>
      </View>

      <View className="card">
        <Field label="服务日期">
          <Picker mode="date" value={form.date} start={todayString()} onChange={(e) => set('date', String(e.detail.value))}>
            <View className="field-input publish__picker">{form.date}</View>
          </Picker>
        </Field>
        <View className="row publish__times">
          <Field label="开始" className="publish__time">
            <Picker mode="time" value={form.start} onChange={(e) => set('start', String(e.detail.value))}>
              <View className="field-input publish__picker">{form.start}</View>
            </Picker>
          </Field>
          <Field label="结束" error={errors.end} className="publish__time">
            <Picker mode="time" value={form.end} onChange={(e) => set('end', String(e.detail.value))}>
              <View className="field-input publish__picker">{form.end}</View>
            </Picker>
          </Field>
        </View>
        <Field label="招募名额" error={errors.capacity}>
          <Input className="field-input" type="number" value={form.capacity} onInput={(e) => set('capacity', e.detail.value)} />
        </Field>
      </View>

      <View className="card">
        <Field label="开抢时间" error={errors.openDate}>
          <View className="chips">
            <View className={`chip ${form.openNow ? 'is-active' : ''}`} onClick={() => set('openNow', true)}>发布即开抢</View>
            <View className={`chip ${!form.openNow ? 'is-active' : ''}`} onClick={() => set('openNow', false)}>定时开抢</View>
          </View>
          {!form.openNow ? (
            <View className="row publish__times">
              <Picker mode="date" value={form.openDate} onChange={(e) => set('openDate', String(e.detail.value))}>
                <View className="field-input publish__picker">{form.openDate}</View>
              </Picker>
              <Picker mode="time" value={form.openTime} onChange={(e) => set('openTime', String(e.detail.value))}>
                <View className="field-input publish__picker">{form.openTime}</View>
              </Picker>
            </View>
          ) : null}
        </Field>
        <Field
          label={
            <>
              取消截止 <Text className="muted">（开始前多少分钟内不可取消，选填）</Text>
            </>
          }
          error={errors.cutoff}
        >
          <Input className="field-input" type="number" value={form.cutoff} placeholder="默认由系统设定" onInput={(e) => set('cutoff', e.detail.value)} />
        </Field>
      </View>

      <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
        {busy ? '发布中…' : '发布岗位'}
      </View>
    </>
  );
}

export default function Publish() {
  return (
    <View className="page publish">
      <SecretaryGate>{(orgId) => <PublishForm orgId={orgId} />}</SecretaryGate>
    </View>
  );
}
