import { useEffect, useState } from 'react';

/** The console's pages, in navigation order. Hash routes: the server serves one document for all of them. */
export const PAGES = [
  { id: 'overview', title: 'Overview' },
  { id: 'attempts', title: 'Attempts' },
  { id: 'policy', title: 'Policy' },
  { id: 'locks', title: 'Locks & IPs' },
  { id: 'users', title: 'Users' },
  { id: 'applications', title: 'Applications' },
  { id: 'feeds', title: 'Feeds' },
  { id: 'webhooks', title: 'Webhooks' },
  { id: 'audit', title: 'Audit' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];

function current(): PageId {
  const id = window.location.hash.replace(/^#\/?/, '').split('?')[0];
  return PAGES.find((p) => p.id === id)?.id ?? 'overview';
}

export function useRoute(): PageId {
  const [page, setPage] = useState<PageId>(current);
  useEffect(() => {
    const onHash = () => setPage(current());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return page;
}
