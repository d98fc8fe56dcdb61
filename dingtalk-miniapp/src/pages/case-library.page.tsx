// 案例库 (R-16, Art. 16 建档、案例分析; issue 15.12): the case analyses of at-fault complaints for
// training. Search by text, filter by unit and by party kind (driver / route / vehicle / unit),
// newest first; a case opens in a sheet with a link to its ticket. Unit people see their own
// units' cases only (R-19, the API's scope); "待填写" lists the analyses still owed.
import { useCallback, useEffect, useState } from 'react';
import { Button, ErrorBlock, Popup, SearchBar, Selector, Skeleton, Tag, Toast } from 'antd-mobile';
import { describeError } from '../api-client';
import { useApp } from '../app-context';
import { PARTY_KIND, label, options } from '../labels';
import { loopApi, type CaseFileFilter } from '../loop-api';
import { navigate } from '../router';
import { formatTime } from '../time';
import type { CaseFile } from '../types';
import './intake-admin.css';

/** Who opens the case library: the ops department, the office, the admin and unit people. */
export function readsCases(roles: string[]): boolean {
  return ['dispatcher', 'ops_head', 'office_reviewer', 'admin', 'receiver', 'unit_leader'].some((r) =>
    roles.includes(r),
  );
}

const OFFICE_ROLES = ['dispatcher', 'ops_head', 'office_reviewer', 'admin'];

export function CaseLibraryPage() {
  const { session, reference } = useApp();
  const roles = session.user.roles;
  const office = OFFICE_ROLES.some((r) => roles.includes(r));
  // unit people choose among their own units; the office among all handling units.
  const unitChoices = office
    ? reference.units.filter((u) => u.kind === 'branch' || u.kind === 'department')
    : session.user.units.map((u) => ({ code: u.code, name: u.name }));
  const [q, setQ] = useState('');
  const [filter, setFilter] = useState<CaseFileFilter>({});
  const [rows, setRows] = useState<CaseFile[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reading, setReading] = useState<CaseFile | null>(null);

  const load = useCallback(async (f: CaseFileFilter, after?: string) => {
    setError(null);
    try {
      const page = await loopApi.caseFiles(f, after);
      setRows((prev) => (after && prev ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      if (after) Toast.show({ icon: 'fail', content: describeError(e) });
      else setError(describeError(e));
    }
  }, []);
  useEffect(() => {
    setRows(null);
    void load(filter);
  }, [filter, load]);

  const set = (patch: CaseFileFilter) => setFilter((f) => ({ ...f, ...patch }));
  const pending = filter.status === 'pending';

  return (
    <div className="case-library">
      <div className="kb-toolbar">
        <SearchBar
          className="grow"
          placeholder="搜索原因、责任对象、整改措施、教训、线路"
          value={q}
          onChange={setQ}
          onSearch={(v) => set({ q: v.trim() || undefined })}
          onClear={() => set({ q: undefined })}
          aria-label="搜索案例"
        />
        <Button size="small" onClick={() => set({ q: q.trim() || undefined })}>
          搜索
        </Button>
      </div>
      <div className="case-filters pad-x">
        <div className="muted small">责任对象</div>
        <Selector
          className="case-party-filter"
          columns={4}
          options={options(PARTY_KIND)}
          value={filter.partyKind ? [filter.partyKind] : []}
          onChange={(v) => set({ partyKind: v[0] })}
        />
        {unitChoices.length > 1 && (
          <>
            <div className="muted small">责任单位</div>
            <Selector
              className="case-unit-filter"
              columns={3}
              options={unitChoices.map((u) => ({ label: u.name, value: u.code }))}
              value={filter.unit ? [filter.unit] : []}
              onChange={(v) => set({ unit: v[0] })}
            />
          </>
        )}
        <Selector
          className="case-status-filter"
          columns={2}
          options={[
            { label: '已建档案例', value: 'written' },
            { label: '待填写分析', value: 'pending' },
          ]}
          value={[pending ? 'pending' : 'written']}
          onChange={(v) => set({ status: v[0] === 'pending' ? 'pending' : undefined })}
        />
      </div>
      {error && <ErrorBlock status="default" title="加载失败" description={error} />}
      {!rows && !error && <Skeleton.Paragraph lineCount={6} animated />}
      {rows && rows.length === 0 && (
        <ErrorBlock status="empty" title={pending ? '没有待填写的案例分析' : '没有符合条件的案例'} description="" />
      )}
      {rows && rows.length > 0 && (
        <ul className="kb-list case-list" data-testid="case-list">
          {rows.map((c) => (
            <li key={c.id} className="kb-item">
              <button type="button" className="kb-item-main case-item" onClick={() => setReading(c)}>
                <div className="kb-title">{c.status === 'written' ? c.cause : c.subject}</div>
                <div className="kb-tags">
                  <Tag color="danger" fill="outline">
                    {c.unit.name}
                  </Tag>
                  {c.partyKind && (
                    <Tag color="primary" fill="outline">
                      {label(PARTY_KIND, c.partyKind)} · {c.party}
                    </Tag>
                  )}
                  {c.route && <Tag fill="outline">{c.route}路</Tag>}
                  {c.status === 'pending' && <Tag color="warning">待填写</Tag>}
                </div>
                <div className="muted small">
                  {c.ticketNumber} · 认定于 {formatTime(c.createdAt)}
                </div>
              </button>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <Button block fill="none" onClick={() => void load(filter, cursor)}>
          加载更多
        </Button>
      )}

      <Popup visible={reading !== null} onMaskClick={() => setReading(null)} className="action-popup" destroyOnClose>
        {reading && (
          <div className="popup-body kb-read case-read" data-testid="case-read">
            <div className="popup-head">
              <strong>
                {reading.ticketNumber} {reading.subject}
              </strong>
              <Button size="small" fill="none" onClick={() => setReading(null)}>
                关闭
              </Button>
            </div>
            <dl className="facts">
              <CaseFact k="责任单位" v={reading.unit.name} />
              <CaseFact k="认定依据" v={reading.basis} />
              {reading.status === 'written' ? (
                <>
                  <CaseFact k="责任对象" v={`${label(PARTY_KIND, reading.partyKind ?? '')} · ${reading.party}`} />
                  <CaseFact k="原因分析" v={reading.cause ?? ''} />
                  <CaseFact k="整改措施" v={reading.measures ?? ''} />
                  <CaseFact k="警示教育" v={reading.lesson ?? ''} />
                  {reading.writtenBy && reading.writtenAt && (
                    <CaseFact k="填写" v={`${reading.writtenBy.name} · ${formatTime(reading.writtenAt)}`} />
                  )}
                </>
              ) : (
                <CaseFact k="案例分析" v="待责任单位填写" />
              )}
            </dl>
            <Button block color="primary" fill="outline" onClick={() => navigate(`/ticket/${reading.ticketId}`)}>
              查看工单
            </Button>
          </div>
        )}
      </Popup>
    </div>
  );
}

function CaseFact({ k, v }: { k: string; v: string }) {
  return (
    <div className="fact">
      <dt>{k}</dt>
      <dd>{v}</dd>
    </div>
  );
}
