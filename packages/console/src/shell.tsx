import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useAuth } from '@portcullis/react';
import type { Api } from './api/client.js';
import { ConsoleContext } from './context.js';
import { PAGES, useRoute, type PageId } from './routes.js';
import { Overview } from './pages/overview.js';
import { Attempts } from './pages/attempts.js';
import { Policy } from './pages/policy.js';
import { Locks } from './pages/locks.js';
import { Users } from './pages/users.js';
import { Applications } from './pages/applications.js';
import { Feeds } from './pages/feeds.js';
import { Audit } from './pages/audit.js';
import { Webhooks } from './pages/webhooks.js';

const VIEWS: Record<PageId, () => ReactNode> = {
  overview: Overview, attempts: Attempts, policy: Policy, locks: Locks, users: Users, applications: Applications, feeds: Feeds, webhooks: Webhooks, audit: Audit,
};

/** The signed-in console: navigation, one page, and one status region every page announces through. */
export function Shell({ api, tenant }: { api: Api; tenant: string }): ReactNode {
  const { signOut } = useAuth();
  const page = useRoute();
  const [status, setStatus] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  const announce = useCallback((message: string) => setStatus(message), []);
  const value = useMemo(() => ({ api, announce }), [api, announce]);
  const title = PAGES.find((p) => p.id === page)!.title;

  useEffect(() => {
    document.title = `${title} · Portcullis console`;
    // A screen reader user who follows a link must land on the new page, not stay in the menu.
    if (first.current) first.current = false;
    else heading.current?.focus();
    setStatus('');
  }, [title]);

  const View = VIEWS[page];
  return (
    <ConsoleContext.Provider value={value}>
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); heading.current?.focus(); }}>Skip to content</a>
      <header className="top">
        <span className="brand">Portcullis console{tenant ? ` · ${tenant}` : ''}</span>
        <button type="button" onClick={() => void signOut()}>Sign out</button>
      </header>
      <div className="layout">
        <nav aria-label="Console">
          <ul>
            {PAGES.map((p) => (
              <li key={p.id}><a href={`#/${p.id}`} aria-current={p.id === page ? 'page' : undefined}>{p.title}</a></li>
            ))}
          </ul>
        </nav>
        <main id="main" aria-labelledby="page-title">
          <h1 id="page-title" ref={heading} tabIndex={-1}>{title}</h1>
          <View />
        </main>
      </div>
      <div className="status" role="status" aria-live="polite" aria-atomic="true">{status}</div>
    </ConsoleContext.Provider>
  );
}
