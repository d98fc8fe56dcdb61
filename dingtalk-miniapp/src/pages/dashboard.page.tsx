// 看板 (issue 7): volume by source, category and day, the open traffic lights, each unit's
// figures with the monthly ranking, and the hot routes — every number clicks through to the
// ledger rows behind it. For dispatchers, the ops head, the office and unit leaders.
import { useCallback, useEffect, useState } from 'react';
import { Button, ErrorBlock, Skeleton, Tag } from 'antd-mobile';
import { describeError } from '../api-client';
import { Columns, HBars } from '../components/bars';
import {
  loopApi,
  pct,
  toQuery,
  type DispatchFigures,
  type HotSpot,
  type Overview,
  type UnitFigures,
} from '../loop-api';
import { navigate } from '../router';
import { currentMonth, dayRange, monthRange, shiftMonth } from '../time';

interface Data {
  overview: Overview;
  units: UnitFigures[];
  dispatch: { total: DispatchFigures; dispatchers: DispatchFigures[] };
  routes: HotSpot[];
  categories: HotSpot[];
  threshold: number;
}

export function DashboardPage() {
  const [month, setMonth] = useState(() => sessionStorage.getItem('hotline.month') ?? currentMonth());
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { from, to } = monthRange(month);

  const load = useCallback(async () => {
    setError(null);
    setData(null);
    try {
      const [overview, units, hot, dispatch] = await Promise.all([
        loopApi.overview(from, to),
        loopApi.units(from, to),
        loopApi.hotSpots(from, to),
        loopApi.dispatch(from, to),
      ]);
      setData({
        overview,
        units: units.units,
        dispatch,
        routes: hot.routes,
        categories: hot.categories,
        threshold: hot.threshold,
      });
    } catch (e) {
      setError(describeError(e));
    }
  }, [from, to]);

  useEffect(() => {
    sessionStorage.setItem('hotline.month', month);
    void load();
  }, [month, load]);

  /** The ledger rows behind a number: the month plus one filter. */
  const ledger = (filter: Record<string, string>) => navigate(`/ledger${toQuery({ from, to, ...filter })}`);

  return (
    <div className="dashboard">
      <div className="dashboard-head">
        <Button size="small" onClick={() => setMonth(shiftMonth(month, -1))} aria-label="上个月">
          ‹
        </Button>
        <strong data-testid="month">{month.replace('-', ' 年 ')} 月</strong>
        <Button size="small" onClick={() => setMonth(shiftMonth(month, 1))} aria-label="下个月">
          ›
        </Button>
        <span className="spacer" />
        <Button size="small" onClick={() => ledger({})}>
          台账
        </Button>
        <Button size="small" onClick={() => navigate('/follow-ups')}>
          回访
        </Button>
      </div>
      {error && <ErrorBlock status="default" title="加载失败" description={error} />}
      {!data && !error && <Skeleton.Paragraph lineCount={8} animated />}
      {data && (
        <div className="dashboard-grid">
          <section className="panel">
            <h3>在办工单信号灯（当前）</h3>
            <div className="lights">
              {(['green', 'yellow', 'red'] as const).map((l) => (
                <button
                  key={l}
                  type="button"
                  className={`light-tile ${l}`}
                  data-testid={`light-${l}`}
                  onClick={() => navigate(`/ledger${toQuery({ light: l })}`)}
                >
                  <span className="light-count">{data.overview.lights[l]}</span>
                  <span>{{ green: '正常', yellow: '临期', red: '超期' }[l]}</span>
                </button>
              ))}
            </div>
          </section>
          <section className="panel">
            <h3>每日受理量</h3>
            <Columns
              testId="by-day"
              bars={data.overview.byDay.map((d) => ({
                key: d.day,
                label: d.day.slice(5),
                value: d.count,
                onClick: () => ledger(dayRange(d.day)),
              }))}
            />
          </section>
          <section className="panel">
            <h3>按来源</h3>
            <HBars
              testId="by-source"
              bars={data.overview.bySource.map((s) => ({
                key: s.key,
                label: s.name,
                value: s.count,
                onClick: () => ledger({ source: s.key }),
              }))}
            />
          </section>
          <section className="panel">
            <h3>按事项类型</h3>
            <HBars
              testId="by-category"
              bars={data.overview.byCategory.map((c) => ({
                key: c.key,
                label: c.name,
                value: c.count,
                onClick: () => ledger({ category: c.key }),
              }))}
            />
          </section>
          <section className="panel wide">
            <h3>承办单位考核与排名（按派单时间）</h3>
            <HBars
              testId="unit-bars"
              max={1}
              bars={data.units.map((u) => ({
                key: u.unitCode,
                label: `${u.rank}. ${u.unitName}`,
                value: u.replyOnTimeRate ?? 0,
                text: pct(u.replyOnTimeRate),
                tone: (u.replyOnTimeRate ?? 1) < 0.9 ? 'warn' : 'good',
                onClick: () => ledger({ unit: u.unitCode }),
              }))}
            />
            <div className="table-scroll">
              <table className="figures" data-testid="unit-table">
                <thead>
                  <tr>
                    <th>排名</th>
                    <th>单位</th>
                    <th>派单</th>
                    <th>按时签收率</th>
                    <th>按时回复率</th>
                    <th>按时办结率</th>
                    <th>一次办结率</th>
                    <th>重复来电率</th>
                    <th>超期</th>
                    <th>退回</th>
                    <th>延期</th>
                    <th>重办</th>
                    <th>解决率</th>
                    <th>满意率</th>
                    <th>无法联系</th>
                    <th>责任投诉</th>
                    <th>回复不实</th>
                  </tr>
                </thead>
                <tbody>
                  {data.units.map((u) => (
                    <tr key={u.unitCode} onClick={() => ledger({ unit: u.unitCode })} className="clickable">
                      <td>{u.rank}</td>
                      <td>{u.unitName}</td>
                      <td>{u.dispatched}</td>
                      <td>{pct(u.acceptOnTimeRate)}</td>
                      <td>{pct(u.replyOnTimeRate)}</td>
                      <td>{pct(u.onTimeCloseRate)}</td>
                      <td>{pct(u.firstTimeCloseRate)}</td>
                      <td>
                        {pct(u.repeatRate)}
                        {u.repeatCalls > 0 && `（${u.repeatCalls}）`}
                      </td>
                      <td className={u.overdue ? 'bad' : ''}>{u.overdue}</td>
                      <td>{u.returnsApproved}</td>
                      <td>{u.extensionsApproved}</td>
                      <td>{u.rework}</td>
                      <td>{pct(u.solvedRate)}</td>
                      <td>{pct(u.satisfiedRate)}</td>
                      <td>{u.callsUnreachable}</td>
                      <td className={u.responsibleComplaints ? 'bad' : ''}>{u.responsibleComplaints}</td>
                      <td className={u.untrueReplies ? 'bad' : ''}>{u.untrueReplies}</td>
                    </tr>
                  ))}
                  {data.units.length === 0 && (
                    <tr>
                      <td colSpan={17}>本月没有派单</td>
                    </tr>
                  )}
                </tbody>
              </table>
            </div>
            <p className="form-note">
              指标口径见 docs/kpi.md；排名按按时回复率、满意率、责任投诉与回复不实、超期依次比较。
            </p>
          </section>
          <section className="panel">
            <h3>派单及时（当日收、当日转）</h3>
            <div className="table-scroll">
              <table className="figures" data-testid="dispatch-table">
                <thead>
                  <tr>
                    <th>发起人</th>
                    <th>应派单</th>
                    <th>当日派出</th>
                    <th>超时派单</th>
                    <th>其中未派</th>
                    <th>超时率</th>
                  </tr>
                </thead>
                <tbody>
                  {[...data.dispatch.dispatchers, data.dispatch.total].map((d) => (
                    <tr key={d.userid ?? 'total'} className={d.userid ? '' : 'total'}>
                      <td>{d.userid ? (d.name ?? d.userid) : '全部'}</td>
                      <td>{d.due}</td>
                      <td>{d.onTime}</td>
                      <td className={d.late ? 'bad' : ''}>{d.late}</td>
                      <td>{d.waiting}</td>
                      <td>{pct(d.lateRate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="form-note">按受理时间统计；首次派单晚于受理当个工作日下班（17:30）即为超时。</p>
          </section>
          <section className="panel">
            <h3>热点线路</h3>
            <HBars
              testId="hot-routes"
              bars={data.routes.map((r) => ({
                key: r.key,
                label: `${r.key}路`,
                value: r.count,
                tone: r.strongConcern ? 'warn' : 'normal',
                onClick: () => ledger({ route: r.key }),
              }))}
            />
            <div className="concern">
              {[...data.routes, ...data.categories]
                .filter((h) => h.strongConcern)
                .map((h) => (
                  <Tag key={h.key} color="danger" fill="outline">
                    社会关注：{h.key}（{h.count}）
                  </Tag>
                ))}
              <span className="form-note">≥ {data.threshold} 件即标记为社会公众反映强烈</span>
            </div>
          </section>
        </div>
      )}
    </div>
  );
}
