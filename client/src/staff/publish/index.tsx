import { useEffect, useState } from 'react';
import { View, Text, Input, Textarea, Picker } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { CATEGORY_KEYS, CATEGORY_LABELS, DIALOG, TaskUpdateBodySchema, type TaskAudience } from '@pioneer/shared';
import Field from '@/components/Field';
import SecretaryGate from '@/components/SecretaryGate';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { getProject } from '@/services/units';
import { errorMessage } from '@/services/http';
import { createTask, getTask } from '@/services/tasks';
import { listDemands, triageDemand } from '@/services/demands';
import { updateTask } from '@/services/staff';
import {
  checkPublishForm,
  cutoffWarning,
  editBody,
  formFromTask,
  type PublishErrors,
  type PublishForm as Form,
} from '@/utils/publish-form';
import { todayString } from '@/utils/time';
import { ROUTES } from '@/utils/routes';
import './index.scss';

/**
 * 岗位管理 shows the new post. Opened from there, back to it (it reloads on show), so back on
 * its title bar does not lead to the older copy of the same list; from elsewhere, it replaces this page.
 */
function backToManage() {
  const pages = Taro.getCurrentPages();
  const previous = pages[pages.length - 2]?.route;
  if (previous && `/${previous.replace(/^\//, '')}`.startsWith(ROUTES.manage)) Taro.navigateBack();
  else Taro.redirectTo({ url: ROUTES.manage });
}

function PublishForm({ orgId, project }: { orgId: string; project?: { id: string; unitName: string } }) {
  // Opened from a whistle's page: the post answers that whistle.
  const params = useRouter().params;
  const whistleId = params.whistleId || undefined;
  // Opened from a post (编辑岗位): the form edits it; from a resident's demand (转为岗位): pre-filled from it.
  const editId = params.id || undefined;
  const demandId = params.demandId || undefined;
  const [original, setOriginal] = useState<Form | null>(null);
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
    draw: false,
    drawDate: todayString(),
    drawTime: '21:00',
  });

  useEffect(() => {
    if (editId) {
      getTask(editId)
        .then(({ task }) => {
          const f = formFromTask(task);
          setOriginal(f);
          setForm(f);
        })
        .catch((e) => Taro.showToast({ title: errorMessage(e), icon: 'none' }));
    } else if (demandId) {
      listDemands(orgId)
        .then(({ items }) => {
          const d = items.find((x) => x.id === demandId);
          if (!d) return;
          // Where the help is needed: the resident's estate and address (the resident's own contact stays with the demand).
          const where = [d.estate?.name, d.address].filter(Boolean).join(' ');
          setForm((f) => ({
            ...f,
            title: d.text.replace(/\s+/g, ' ').slice(0, 20),
            description: `居民点单：${d.text}`,
            category: d.category ?? f.category,
            location: where.slice(0, 120) || f.location,
          }));
        })
        .catch((e) => Taro.showToast({ title: errorMessage(e), icon: 'none' }));
    }
  }, [editId, demandId, orgId]);
  const [errors, setErrors] = useState<PublishErrors>({});
  const [busy, setBusy] = useState(false);
  // A project's post (组织报到): 定向 to the project's unit's members, or open to the community.
  const [audience, setAudience] = useState<TaskAudience>(params.audience === 'community' ? 'community' : 'unit');
  const done = () => (project ? Taro.navigateBack() : backToManage());

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const saveEdit = async () => {
    if (!editId || !original) return;
    const body = editBody(original, form);
    if (!body) return Taro.showToast({ title: '没有修改', icon: 'none' });
    const parsed = TaskUpdateBodySchema.safeParse(body);
    if (!parsed.success) {
      const next: PublishErrors = {};
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? 'form') as keyof PublishErrors;
        next[key] = next[key] ?? issue.message;
      }
      setErrors(next);
      return Taro.showToast({ title: '请检查标红的内容', icon: 'none' });
    }
    setBusy(true);
    try {
      await updateTask(editId, body);
      Taro.showToast({ title: '已保存，已抢到的党员会收到通知', icon: 'none' });
      setTimeout(backToManage, 600);
    } catch (e) {
      Taro.showModal({ title: '保存未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  const submit = async () => {
    if (editId) return saveEdit();
    // The rules are TaskCreateBodySchema's (shared with the server), with messages per field.
    const checked = checkPublishForm(form, orgId, whistleId, project ? { id: project.id, audience } : undefined);
    if (!checked.ok) {
      setErrors(checked.errors);
      Taro.showToast({ title: checked.errors.form ?? '请检查标红的内容', icon: 'none' });
      return;
    }
    setErrors({});
    const warning = cutoffWarning(checked.body, Date.now());
    if (warning) {
      const { confirm } = await Taro.showModal({
        title: '已在取消截止时间内',
        content: warning,
        confirmText: DIALOG.confirmPublish,
        cancelText: DIALOG.keep,
      });
      if (!confirm) return;
    }
    setBusy(true);
    try {
      // From a demand: the post is published and the demand answered in one step (its resident sees 已发布岗位).
      if (demandId) await triageDemand(demandId, { action: 'post', task: checked.body });
      else await createTask(checked.body);
      Taro.showToast({ title: '发布成功', icon: 'success' });
      setTimeout(done, 600);
    } catch (e) {
      Taro.showModal({ title: '发布未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {project ? (
        <View className="card publish__project">
          <Field label="岗位对象">
            <View className="chips">
              <View className={`chip publish__audience-unit ${audience === 'unit' ? 'is-active' : ''}`} onClick={() => setAudience('unit')}>
                定向·{project.unitName}
              </View>
              <View className={`chip ${audience === 'community' ? 'is-active' : ''}`} onClick={() => setAudience('community')}>
                面向社区党员
              </View>
            </View>
          </Field>
          {audience === 'unit' ? <View className="muted">仅{project.unitName}的党员可以抢</View> : null}
        </View>
      ) : null}
      <View className="card">
        <Field label="岗位名称" required error={errors.title}>
          <Input
            className="field-input"
            value={form.title}
            placeholder="如：周末垃圾分类督导"
            onInput={(e) => set('title', e.detail.value)}
          />
        </Field>
        <Field label="岗位类别" required error={errors.category}>
          <View className="chips">
            {CATEGORY_KEYS.map((key) => (
              <View key={key} className={`chip ${form.category === key ? 'is-active' : ''}`} onClick={() => set('category', key)}>
                {CATEGORY_LABELS[key]}
              </View>
            ))}
          </View>
        </Field>
        <Field label="服务地点" required error={errors.location}>
          <Input
            className="field-input"
            value={form.location}
            placeholder="如：幸福小区东门"
            onInput={(e) => set('location', e.detail.value)}
          />
        </Field>
        <View className="row publish__times">
          <Field label="联系人（选填）" error={errors.contactName} className="publish__time">
            <Input
              className="field-input"
              value={form.contactName ?? ''}
              maxlength={30}
              placeholder="如：王书记"
              onInput={(e) => set('contactName', e.detail.value)}
            />
          </Field>
          <Field label="联系电话（选填）" error={errors.contactPhone} className="publish__time">
            <Input
              className="field-input"
              type="text"
              value={form.contactPhone ?? ''}
              maxlength={13}
              placeholder="手机或 0512-52345678"
              onInput={(e) => set('contactPhone', e.detail.value)}
            />
          </Field>
        </View>
        <Field label="岗位说明（选填）" error={errors.description}>
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
        <Field label="服务日期" error={errors.start}>
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
        {editId ? null : (
          <Field label="招募名额" required error={errors.capacity}>
            <Input className="field-input" type="number" value={form.capacity} onInput={(e) => set('capacity', e.detail.value)} />
          </Field>
        )}
      </View>

      {editId ? null : (
        <View className="card">
          <Field label="分配方式" error={errors.drawDate}>
            <View className="chips">
              <View className={`chip ${!form.draw ? 'is-active' : ''}`} onClick={() => set('draw', false)}>
                先到先得
              </View>
              <View className={`chip ${form.draw ? 'is-active' : ''}`} onClick={() => set('draw', true)}>
                抽签
              </View>
            </View>
            {form.draw ? (
              <>
                <View className="muted">报名截至开奖时间，开奖后按公开可验证的抽签结果分配名额，未中签的按顺序候补。</View>
                <View className="row publish__times">
                  <Picker mode="date" value={form.drawDate ?? ''} onChange={(e) => set('drawDate', String(e.detail.value))}>
                    <View className="field-input publish__picker">{form.drawDate}</View>
                  </Picker>
                  <Picker mode="time" value={form.drawTime ?? ''} onChange={(e) => set('drawTime', String(e.detail.value))}>
                    <View className="field-input publish__picker">{form.drawTime}</View>
                  </Picker>
                </View>
              </>
            ) : null}
          </Field>
          <Field label="开抢时间" error={errors.openDate}>
            <View className="chips">
              <View className={`chip ${form.openNow ? 'is-active' : ''}`} onClick={() => set('openNow', true)}>
                发布即开抢
              </View>
              <View className={`chip ${!form.openNow ? 'is-active' : ''}`} onClick={() => set('openNow', false)}>
                定时开抢
              </View>
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
            <Input
              className="field-input"
              type="number"
              value={form.cutoff}
              placeholder="默认由系统设定"
              onInput={(e) => set('cutoff', e.detail.value)}
            />
          </Field>
        </View>
      )}

      <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
        {busy ? (editId ? '保存中…' : '发布中…') : editId ? '保存修改' : '发布岗位'}
      </View>
    </>
  );
}

/** A project's post (`?projectId=`): its unit's admin publishes in the project's community. */
function ProjectPublish({ projectId }: { projectId: string }) {
  const { ready, error, retry } = useAuthReady();
  const res = useRequest(() => getProject(projectId), [projectId], ready);
  if (!ready || !res.data) return <StateView loading={!res.error} error={error ?? res.error} onRetry={res.error ? res.reload : retry} />;
  const p = res.data.project;
  return <PublishForm orgId={p.community.id} project={{ id: p.id, unitName: p.unit.name }} />;
}

export default function Publish() {
  const projectId = useRouter().params.projectId;
  return (
    <View className="page publish">
      {projectId ? <ProjectPublish projectId={projectId} /> : <SecretaryGate>{(orgId) => <PublishForm orgId={orgId} />}</SecretaryGate>}
    </View>
  );
}
