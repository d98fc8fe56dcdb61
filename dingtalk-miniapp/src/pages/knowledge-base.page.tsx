// 办事指南 (X-7): the articles dispatchers search while the caller is on the line. Everyone with a
// role reads; dispatchers and the ops head write, rewrite and withdraw (the API's role guard).
// The API pages the articles (most used first, 20 at a time) or answers the search's best 50.
import { useCallback, useEffect, useState } from 'react';
import {
  Button,
  Dialog,
  ErrorBlock,
  Form,
  Input,
  Popup,
  SearchBar,
  Selector,
  Skeleton,
  Tag,
  TextArea,
  Toast,
} from 'antd-mobile';
import { nameOf, useApp } from '../app-context';
import { errorField, intakeAdminApi, intakeError, type KbArticleFull, type KbArticleInput } from '../intake-admin-api';
import { formatTime } from '../time';
import './admin.page.css';
import './intake-admin.css';

const PAGE = 20;

export const mayEditKb = (roles: string[]) => roles.includes('dispatcher') || roles.includes('ops_head');

/** "2026-01-01 至 2026-12-31", "2026-01-01 起", "长期有效". */
function validity(a: { validFrom: string | null; validUntil: string | null }): string {
  if (a.validFrom && a.validUntil) return `${a.validFrom} 至 ${a.validUntil}`;
  if (a.validFrom) return `${a.validFrom} 起`;
  if (a.validUntil) return `至 ${a.validUntil}`;
  return '长期有效';
}

export function KnowledgeBasePage() {
  const { session, reference } = useApp();
  const editor = mayEditKb(session.user.roles);
  const [q, setQ] = useState('');
  const [rows, setRows] = useState<KbArticleFull[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<KbArticleFull | 'new' | null>(null);
  const [reading, setReading] = useState<KbArticleFull | null>(null);

  const load = useCallback(async (text: string) => {
    setError(null);
    try {
      const page = await intakeAdminApi.articles({ q: text.trim() || undefined, limit: PAGE });
      setRows(page.items);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(intakeError(e));
    }
  }, []);
  const loadMore = async () => {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    try {
      const page = await intakeAdminApi.articles({ cursor, limit: PAGE });
      setRows((list) => [...(list ?? []), ...page.items.filter((a) => !(list ?? []).some((x) => x.id === a.id))]);
      setCursor(page.nextCursor);
    } catch (e) {
      Toast.show({ icon: 'fail', content: intakeError(e) });
    } finally {
      setLoadingMore(false);
    }
  };
  useEffect(() => {
    void load('');
  }, [load]);

  const withdraw = async (a: KbArticleFull) => {
    const ok = await Dialog.confirm({
      title: '撤下文章',
      content: `撤下「${a.title}」？撤下后不再被搜索和推荐，已引用的记录和使用次数保留。`,
      confirmText: '撤下',
      cancelText: '取消',
    });
    if (!ok) return;
    try {
      await intakeAdminApi.withdrawArticle(a.id);
      setRows((list) => (list ?? []).filter((x) => x.id !== a.id));
      Toast.show({ icon: 'success', content: '已撤下' });
    } catch (e) {
      Toast.show({ icon: 'fail', content: intakeError(e) });
    }
  };

  return (
    <div className="intake-admin kb-page">
      <div className="kb-toolbar">
        <SearchBar
          className="grow"
          placeholder="搜索办事指南，如：老年卡、末班车"
          value={q}
          onChange={setQ}
          onSearch={(v) => void load(v)}
          onClear={() => void load('')}
          aria-label="搜索办事指南"
        />
        <Button size="small" onClick={() => void load(q)}>
          搜索
        </Button>
        {editor && (
          <Button size="small" color="primary" onClick={() => setEditing('new')}>
            新建
          </Button>
        )}
      </div>
      {error && <ErrorBlock status="default" title="加载失败" description={error} />}
      {!rows && !error && <Skeleton.Paragraph lineCount={6} animated />}
      {rows && rows.length === 0 && (
        <ErrorBlock status="empty" title={q.trim() ? '没有找到相关文章' : '还没有文章'} description="" />
      )}
      {rows && rows.length > 0 && (
        <>
          <div className="muted small pad-x">
            {q.trim()
              ? `找到 ${rows.length} 篇（按相关度）`
              : `${cursor ? `已显示 ${rows.length} 篇` : `共 ${rows.length} 篇`}（按使用次数）`}
          </div>
          <ul className="kb-list" data-testid="kb-list">
            {rows.map((a) => (
              <li key={a.id} className="kb-item">
                <button type="button" className="kb-item-main" onClick={() => setReading(a)}>
                  <div className="kb-title">{a.title}</div>
                  <div className="kb-tags">
                    {a.category && (
                      <Tag color="primary" fill="outline">
                        {nameOf(reference.categories, a.category)}
                      </Tag>
                    )}
                    {a.routes.map((r) => (
                      <Tag key={`r-${r}`} fill="outline">
                        {r}路
                      </Tag>
                    ))}
                    {a.tags.map((t) => (
                      <Tag key={`t-${t}`} color="default">
                        {t}
                      </Tag>
                    ))}
                  </div>
                  <div className="muted small kb-meta">
                    有效期：{validity(a)} · 审核：{a.reviewedAt ? formatTime(a.reviewedAt).slice(0, 10) : '未审核'} ·
                    使用 {a.uses} 次
                  </div>
                </button>
                {editor && (
                  <div className="kb-item-actions">
                    <Button size="small" onClick={() => setEditing(a)}>
                      编辑
                    </Button>
                    <Button size="small" color="danger" fill="outline" onClick={() => void withdraw(a)}>
                      删除
                    </Button>
                  </div>
                )}
              </li>
            ))}
          </ul>
          {cursor && (
            <Button block fill="none" loading={loadingMore} onClick={() => void loadMore()}>
              加载更多
            </Button>
          )}
        </>
      )}

      <Popup visible={reading !== null} onMaskClick={() => setReading(null)} className="action-popup" destroyOnClose>
        {reading && (
          <div className="popup-body kb-read">
            <div className="popup-head">
              <strong>{reading.title}</strong>
              <Button size="small" fill="none" onClick={() => setReading(null)}>
                关闭
              </Button>
            </div>
            <p className="content-text">{reading.body}</p>
            <div className="muted small">
              {reading.author.name} 编写 · 更新于 {formatTime(reading.updatedAt)} · 有效期：{validity(reading)}
            </div>
          </div>
        )}
      </Popup>

      <Popup
        visible={editing !== null}
        onMaskClick={() => setEditing(null)}
        className="action-popup kb-editor-popup"
        destroyOnClose
      >
        {editing && (
          <ArticleForm
            article={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(a) => {
              setEditing(null);
              setRows((list) =>
                editing === 'new' ? [a, ...(list ?? [])] : (list ?? []).map((x) => (x.id === a.id ? a : x)),
              );
              Toast.show({ icon: 'success', content: editing === 'new' ? '已发布' : '已保存' });
            }}
          />
        )}
      </Popup>
    </div>
  );
}

interface FormValues {
  title?: string;
  body?: string;
  category?: string[];
  tags?: string;
  routes?: string;
  validFrom?: string;
  validUntil?: string;
  reviewedAt?: string;
}

const FIELDS = ['title', 'body', 'category', 'tags', 'routes', 'validFrom', 'validUntil', 'reviewedAt'] as const;
const list = (s: string | undefined) =>
  (s ?? '')
    .split(/[,，、;；\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function ArticleForm({
  article,
  onCancel,
  onSaved,
}: {
  article: KbArticleFull | null;
  onCancel: () => void;
  onSaved: (a: KbArticleFull) => void;
}) {
  const { reference } = useApp();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const submit = async (v: FormValues) => {
    setFormError(null);
    const body: KbArticleInput = {
      title: v.title ?? '',
      body: v.body ?? '',
      category: v.category?.[0] ?? null,
      tags: list(v.tags),
      routes: list(v.routes),
      validFrom: v.validFrom || null,
      validUntil: v.validUntil || null,
      reviewedAt: v.reviewedAt || null,
    };
    setBusy(true);
    try {
      onSaved(
        article ? await intakeAdminApi.updateArticle(article.id, body) : await intakeAdminApi.createArticle(body),
      );
    } catch (e) {
      // The server names the field it refused (tags.0 → tags): the message goes under that box.
      const field = errorField(e)?.split('.')[0];
      const known = FIELDS.find((f) => f === field);
      if (known) form.setFields([{ name: known, errors: [(e as Error).message] }]);
      else setFormError(intakeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="popup-body kb-editor">
      <div className="popup-head">
        <strong>{article ? '编辑文章' : '新建文章'}</strong>
        <Button size="small" fill="none" onClick={onCancel}>
          取消
        </Button>
      </div>
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          title: article?.title ?? '',
          body: article?.body ?? '',
          category: article?.category ? [article.category] : [],
          tags: article?.tags.join('、') ?? '',
          routes: article?.routes.join('、') ?? '',
          validFrom: article?.validFrom ?? '',
          validUntil: article?.validUntil ?? '',
          reviewedAt: article?.reviewedAt ? formatTime(article.reviewedAt).slice(0, 10) : '',
        }}
        onFinish={(v) => void submit(v)}
        footer={
          <>
            {formError && <div className="form-note danger">{formError}</div>}
            <Button block type="submit" color="primary" loading={busy} disabled={busy}>
              {article ? '保存' : '发布'}
            </Button>
          </>
        }
      >
        <Form.Item name="title" label="标题" rules={[{ required: true, message: '请填写标题' }]}>
          <Input placeholder="如：老年卡办理与免费乘车" maxLength={200} clearable />
        </Form.Item>
        <Form.Item name="body" label="正文" rules={[{ required: true, message: '请填写正文' }]}>
          <TextArea placeholder="可以直接读给来电人听的答复" autoSize={{ minRows: 4, maxRows: 12 }} maxLength={20000} />
        </Form.Item>
        <Form.Item name="category" label="事项类型">
          <Selector columns={4} options={reference.categories.map((c) => ({ label: c.name, value: c.code }))} />
        </Form.Item>
        <Form.Item name="tags" label="标签" help="用顿号或逗号分隔">
          <Input placeholder="如：老年卡、免费" />
        </Form.Item>
        <Form.Item name="routes" label="相关线路" help="线路编号，用顿号或逗号分隔">
          <Input placeholder="如：12、K1" />
        </Form.Item>
        <div className="kb-dates">
          <Form.Item name="validFrom" label="生效日期">
            <Input type="date" aria-label="生效日期" />
          </Form.Item>
          <Form.Item name="validUntil" label="失效日期">
            <Input type="date" aria-label="失效日期" />
          </Form.Item>
          <Form.Item name="reviewedAt" label="审核日期">
            <Input type="date" aria-label="审核日期" />
          </Form.Item>
        </div>
      </Form>
    </div>
  );
}
