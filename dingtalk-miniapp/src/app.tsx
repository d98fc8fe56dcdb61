import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, ConfigProvider, ErrorBlock, NavBar, SpinLoading, TabBar, Toast } from 'antd-mobile';
import zhCN from 'antd-mobile/es/locales/zh-CN';
import { api, describeError, setUnauthorizedHandler } from './api-client';
import { AppContext, isDispatcher, type Reference } from './app-context';
import { goBack, navigate, useRoute, type Route } from './router';
import { clearSession, loadSession, saveSession } from './session';
import type { Session } from './types';
import { SignInPage } from './pages/sign-in.page';
import { InboxPage } from './pages/inbox.page';
import { TicketDetailPage } from './pages/ticket-detail.page';
import { TicketListPage } from './pages/ticket-list.page';
import { NewTicketPage } from './pages/new-ticket.page';
import { MePage } from './pages/me.page';
import { DashboardPage } from './pages/dashboard.page';
import { LedgerPage } from './pages/ledger.page';
import { FollowUpsPage } from './pages/follow-ups.page';
import { AdminPage } from './pages/admin.page';
import { ORG_ADMIN_TITLES, OrgAdminPage } from './pages/org-admin.page';
import { KnowledgeBasePage } from './pages/knowledge-base.page';
import { CallersToAnswerPage, answersCallers } from './pages/callers-to-answer.page';
import { TransitPage, seesTransit } from './pages/transit.page';
import { UpstreamIntakePage } from './pages/upstream-intake.page';
import { CaseLibraryPage, readsCases } from './pages/case-library.page';

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [reference, setReference] = useState<Reference | null>(null);
  const [refError, setRefError] = useState<string | null>(null);
  const expiredShown = useRef(false);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      clearSession();
      setSession(null);
      if (!expiredShown.current) {
        expiredShown.current = true;
        Toast.show({ content: '登录已过期，请重新登录' });
      }
    });
  }, []);

  const loadReference = useCallback(async () => {
    setRefError(null);
    try {
      const [units, sources, categories, me] = await Promise.all([
        api.units(),
        api.sources(),
        api.categories(),
        api.me(),
      ]);
      setReference({ units, sources, categories });
      // Issue 13.3: roles and units an admin changed since sign-in take effect when the app opens.
      const stored = loadSession();
      if (stored && JSON.stringify(stored.user) !== JSON.stringify(me)) {
        const next = { ...stored, user: me };
        saveSession(next);
        setSession(next);
      }
    } catch (e) {
      setRefError(describeError(e));
    }
  }, []);

  useEffect(() => {
    if (session) void loadReference();
    else setReference(null);
  }, [session, loadReference]);

  const signIn = (s: Session) => {
    saveSession(s);
    expiredShown.current = false;
    setSession(s);
  };
  const signOut = () => {
    clearSession();
    setSession(null);
    navigate('/inbox');
  };

  let body;
  if (!session) body = <SignInPage onSignedIn={signIn} />;
  else if (refError)
    body = (
      <div className="center-page">
        <ErrorBlock status="default" title="加载失败" description={refError} />
        <Button color="primary" onClick={() => void loadReference()}>
          重试
        </Button>
      </div>
    );
  else if (!reference)
    body = (
      <div className="center-page">
        <SpinLoading color="primary" />
      </div>
    );
  else
    body = (
      <AppContext.Provider value={{ session, reference, signOut }}>
        <Shell session={session} />
      </AppContext.Provider>
    );

  return <ConfigProvider locale={zhCN}>{body}</ConfigProvider>;
}

const TITLES: Record<Route['name'], string> = {
  inbox: '待办',
  tickets: '工单',
  new: '登记工单',
  me: '我的',
  admin: '系统管理',
  'admin-org': '人员与组织',
  ticket: '工单详情',
  dashboard: '看板',
  ledger: '台账',
  'follow-ups': '回访与跟踪',
  kb: '办事指南',
  callers: '待告知来电人',
  transit: '线路与车辆',
  upstream: '上级系统接入',
  cases: '案例库',
};

/** Issue 7: the dashboard and ledger for the ops department, the office, leaders and admin. */
function readsFigures(session: Session): boolean {
  return session.user.roles.some((r) =>
    ['dispatcher', 'ops_head', 'office_reviewer', 'unit_leader', 'admin'].includes(r),
  );
}
const isOpsDepartment = (session: Session) => session.user.roles.some((r) => r === 'dispatcher' || r === 'ops_head');
const isUnitPerson = (session: Session) => session.user.roles.some((r) => r === 'receiver' || r === 'unit_leader');

function Shell({ session }: { session: Session }) {
  const route = useRoute();
  const dispatcher = isDispatcher(session);

  useEffect(() => {
    document.title = `${route.name === 'admin-org' ? ORG_ADMIN_TITLES[route.tab] : TITLES[route.name]} - 热线工单`;
    window.scrollTo(0, 0);
  }, [route]);

  if (route.name === 'admin') {
    return (
      <div className="app">
        <NavBar className="top-bar" onBack={() => goBack('/me')} backIcon>
          系统管理
        </NavBar>
        <main className="content">
          <AdminPage />
        </main>
      </div>
    );
  }

  if (route.name === 'admin-org') {
    return (
      <div className="app">
        <NavBar className="top-bar" onBack={() => navigate('/admin')} backIcon>
          {ORG_ADMIN_TITLES[route.tab]}
        </NavBar>
        <main className="content">
          <OrgAdminPage tab={route.tab} />
        </main>
      </div>
    );
  }

  // Issue 9's back-office pages open from 我的, with a way back like 系统管理.
  if (
    route.name === 'kb' ||
    route.name === 'callers' ||
    route.name === 'transit' ||
    route.name === 'upstream' ||
    route.name === 'cases'
  ) {
    const roles = session.user.roles;
    const denied = (title: string) => <ErrorBlock status="disconnected" title={title} description="" />;
    return (
      <div className="app">
        <NavBar className="top-bar" onBack={() => goBack('/me')} backIcon>
          {TITLES[route.name]}
        </NavBar>
        <main className="content">
          {route.name === 'kb' ? (
            <KnowledgeBasePage />
          ) : route.name === 'callers' ? (
            answersCallers(roles) ? (
              <CallersToAnswerPage />
            ) : (
              denied('待告知来电人由运营服务部办理')
            )
          ) : route.name === 'cases' ? (
            readsCases(roles) ? (
              <CaseLibraryPage />
            ) : (
              denied('您的账号没有可查看案例库的角色')
            )
          ) : route.name === 'transit' ? (
            seesTransit(roles) ? (
              <TransitPage />
            ) : (
              denied('仅运营服务部和系统管理员可使用此页面')
            )
          ) : (
            <UpstreamIntakePage />
          )}
        </main>
      </div>
    );
  }

  if (route.name === 'ticket') {
    return (
      <div className="app">
        <NavBar className="top-bar" onBack={() => goBack()} backIcon>
          工单详情
        </NavBar>
        <main className="content">
          <TicketDetailPage key={route.id} id={route.id} />
        </main>
      </div>
    );
  }

  const tabs = [
    { key: 'inbox', title: '待办', icon: <span className="tab-icon">☑</span> },
    { key: 'tickets', title: '工单', icon: <span className="tab-icon">☰</span> },
    ...(dispatcher ? [{ key: 'new', title: '登记', icon: <span className="tab-icon">＋</span> }] : []),
    ...(readsFigures(session) ? [{ key: 'dashboard', title: '看板', icon: <span className="tab-icon">▦</span> }] : []),
    { key: 'me', title: '我的', icon: <span className="tab-icon">◉</span> },
  ];
  const page =
    route.name === 'tickets' ? (
      <TicketListPage />
    ) : route.name === 'new' ? (
      dispatcher ? (
        <NewTicketPage />
      ) : (
        <ErrorBlock status="disconnected" title="仅派单员可登记工单" description="" />
      )
    ) : route.name === 'dashboard' ? (
      <DashboardPage />
    ) : route.name === 'ledger' ? (
      <LedgerPage />
    ) : route.name === 'follow-ups' ? (
      isOpsDepartment(session) ? (
        <FollowUpsPage />
      ) : isUnitPerson(session) ? (
        // Issue 15.6 (R-14(3)): the handling units see and record the follow-up of their tickets.
        <FollowUpsPage trackingOnly />
      ) : (
        <ErrorBlock status="disconnected" title="回访由运营服务部办理" description="" />
      )
    ) : route.name === 'me' ? (
      <MePage />
    ) : (
      <InboxPage />
    );

  return (
    <div className="app with-tabs">
      <NavBar className="top-bar" backIcon={false}>
        {TITLES[route.name]}
      </NavBar>
      <main className="content">{page}</main>
      <nav className="bottom-bar">
        <TabBar activeKey={route.name} onChange={(key) => navigate(`/${key}`)} safeArea>
          {tabs.map((t) => (
            <TabBar.Item key={t.key} title={t.title} icon={t.icon} />
          ))}
        </TabBar>
      </nav>
    </div>
  );
}
