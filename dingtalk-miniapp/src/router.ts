// Hash routing: `#/ticket/<id>` deep links from DingTalk notices work without server rewrites.
import { useEffect, useState } from 'react';

export type Route =
  | { name: 'inbox' }
  | { name: 'tickets' }
  | { name: 'new' }
  | { name: 'me' }
  | { name: 'admin' }
  | { name: 'admin-org'; tab: 'people' | 'units' | 'reference' }
  | { name: 'ticket'; id: string }
  | { name: 'dashboard' }
  | { name: 'ledger' }
  | { name: 'follow-ups' }
  | { name: 'kb' }
  | { name: 'callers' }
  | { name: 'transit' }
  | { name: 'upstream' }
  | { name: 'cases' };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'ticket':
      return parts[1] ? { name: 'ticket', id: decodeURIComponent(parts[1]) } : { name: 'inbox' };
    case 'tickets':
      return { name: 'tickets' };
    case 'new':
      return { name: 'new' };
    case 'me':
      return { name: 'me' };
    case 'dashboard':
    case 'ledger':
    case 'follow-ups':
      return { name: parts[0] };
    case 'admin':
      // Issue 13.3: #/admin/people, #/admin/units, #/admin/reference
      return parts[1] === 'people' || parts[1] === 'units' || parts[1] === 'reference'
        ? { name: 'admin-org', tab: parts[1] }
        : { name: 'admin' };
    case 'kb':
    case 'callers':
    case 'transit':
    case 'upstream':
    case 'cases':
      return { name: parts[0] };
    default:
      return { name: 'inbox' };
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(path: string): void {
  window.location.hash = path.startsWith('#') ? path : `#${path}`;
}

export function goBack(fallback = '/inbox'): void {
  if (window.history.length > 1) window.history.back();
  else navigate(fallback);
}
