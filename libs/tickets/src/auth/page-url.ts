import { DomainError } from '@hotline/workflow';

/**
 * Issue 17, item 7: `dd.config` signatures are made only for pages of this product (under
 * PUBLIC_URL: same scheme, host and port, and below its path), so a signed-in person cannot get
 * the corp's JSAPI signature for a page of their own choosing.
 */
export function requirePageUnderPublicUrl(url: string, publicUrl: string): void {
  const refuse = () => {
    throw new DomainError('VALIDATION', `url 须为本系统（${publicUrl}）的页面地址。`, 'url');
  };
  let page: URL;
  try {
    page = new URL(url);
  } catch {
    return refuse();
  }
  const base = new URL(publicUrl);
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  if (page.origin !== base.origin || page.username || page.password) return refuse();
  const pagePath = page.pathname.endsWith('/') ? page.pathname : `${page.pathname}/`;
  if (!pagePath.startsWith(basePath)) return refuse();
}
