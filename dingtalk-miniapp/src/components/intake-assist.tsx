// Issue 9 on the new-ticket form, while the caller is on the line: articles that fit what is
// typed (one tap answers directly, citing it), the branch and units a route or plate suggests,
// and earlier matters of the same caller or bus with one-click merge (并单). Suggestions only.
import { useEffect, useState } from 'react';
import { Button, Form, Tag } from 'antd-mobile';
import { isDispatcher, useApp } from '../app-context';
import { intakeApi, type KbSuggestion, type RepeatMatch, type RoutingSuggestion } from '../intake-api';
import { STATUS } from '../labels';
import { formatTime } from '../time';

const first = (v: unknown) => (Array.isArray(v) ? (v[0] as string | undefined) : undefined);
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** Runs `load` a moment after its inputs settle; the answer of a stale key is dropped. */
function useDebounced<T>(key: string, enabled: boolean, load: () => Promise<T>): T | undefined {
  const [state, setState] = useState<{ key: string; value: T } | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const timer = window.setTimeout(() => {
      load().then(
        (value) => live && setState({ key, value }),
        () => undefined,
      );
    }, 300);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
    // `load` closes over the same inputs as `key`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, enabled]);
  return enabled && state?.key === key ? state.value : undefined;
}

/** articles for the subject and content typed so far. */
export function ArticleSuggestions({ onAnswer }: { onAnswer: (a: KbSuggestion) => void }) {
  const text = [str(Form.useWatch('subject')), str(Form.useWatch('content'))].filter(Boolean).join('\n');
  const category = first(Form.useWatch('category'));
  const list = useDebounced(text, text.length >= 2, () => intakeApi.suggestArticles(text));
  if (!list || list.length === 0) return null;
  const direct = category === 'consultation' || category === 'lost_item';
  return (
    <div className="intake-panel kb-suggestions" aria-label="办事指南">
      <div className="intake-panel-title">办事指南</div>
      {list.map((a) => (
        <div key={a.id} className="intake-item">
          <div className="intake-item-main">
            <strong>{a.title}</strong>
            <span className="intake-muted">{a.excerpt}</span>
          </div>
          {direct && (
            <Button size="mini" color="primary" fill="outline" onClick={() => onAnswer(a)}>
              用此答复
            </Button>
          )}
        </div>
      ))}
      {!direct && <p className="intake-muted">咨询、寻物类可直接引用指南答复并办结。</p>}
    </div>
  );
}

/** the branch company and units a route, a plate, the category and the text suggest. */
export function RoutingHint() {
  const route = str(Form.useWatch('route'));
  const vehiclePlate = str(Form.useWatch('vehiclePlate'));
  const category = first(Form.useWatch('category'));
  const text = [str(Form.useWatch('subject')), str(Form.useWatch('content'))].filter(Boolean).join(' ');
  const key = [route, vehiclePlate, category, text].join('|');
  const s = useDebounced<RoutingSuggestion>(key, Boolean(route || vehiclePlate || text), () =>
    intakeApi.suggestRouting({ route, vehiclePlate, category, text }),
  );
  if (!s || (!s.branch && s.units.length === 0)) return null;
  const role = { sole: '', lead: '（主办）', co: '（会办）' } as const;
  return (
    <div className="intake-panel routing-hint" aria-label="派单建议">
      {s.branch && (
        <div>
          所属分公司：<strong>{s.branch.name}</strong>
          {s.route && <span className="intake-muted">（{s.route.name}）</span>}
        </div>
      )}
      {s.units.length > 0 && (
        <div>
          建议承办：
          {s.units.map((u) => (
            <Tag key={u.code} color="primary" fill="outline" className="intake-tag">
              {u.name}
              {role[u.role]}
            </Tag>
          ))}
        </div>
      )}
      <p className="intake-muted">仅为建议，派单时由派单员决定。</p>
    </div>
  );
}

const MATCH = { phone: '同一来电', vehicle: '同一车辆', route: '同一线路', stop: '同一站点' } as const;

/** earlier matters of the same caller (phone hashed on the server) or the same bus. */
export function RepeatPanel({ onMerge }: { onMerge: (m: RepeatMatch) => void }) {
  const { session } = useApp();
  const phone = str(Form.useWatch('callerPhone'));
  const route = str(Form.useWatch('route'));
  const vehiclePlate = str(Form.useWatch('vehiclePlate'));
  const stop = str(Form.useWatch('stop'));
  const dispatcher = isDispatcher(session);
  const usablePhone = phone && phone.replace(/\D/g, '').length >= 7 ? phone : undefined;
  const key = [usablePhone, route, vehiclePlate, stop].join('|');
  const found = useDebounced(key, dispatcher && Boolean(usablePhone || route || vehiclePlate || stop), () =>
    intakeApi.repeats({ phone: usablePhone, route, vehiclePlate, stop }),
  );
  if (!found || found.matches.length === 0) return null;
  return (
    <div className="intake-panel repeat-panel" aria-label="重复来电">
      <div className="intake-panel-title">
        近{found.days}天相关工单（{found.matches.length}）
      </div>
      {found.matches.map((m) => (
        <div key={m.id} className="intake-item">
          <div className="intake-item-main">
            <strong>
              {m.number} · {STATUS[m.status] ?? m.status}
            </strong>
            <span>{m.subject}</span>
            <span className="intake-muted">
              {m.matchedOn.map((x) => MATCH[x]).join('、')} · {formatTime(m.createdAt)}
              {m.caller.name && ` · ${m.caller.name} ${m.caller.phone ?? ''}`}
            </span>
          </div>
          {m.open && (
            <Button size="mini" color="warning" fill="outline" onClick={() => onMerge(m)}>
              并单
            </Button>
          )}
        </div>
      ))}
    </div>
  );
}
