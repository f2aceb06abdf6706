/**
 * The first path segment of every page of the web app. The server answers a path outside these
 * with a real 404 status (the same app shell, which shows its not-found page), so crawlers, link
 * checkers and monitors see a missing page as missing. A test checks that every route the web app
 * declares starts with one of these, so adding a page in a new section means adding it here.
 */
export const PAGE_SECTIONS: readonly string[] = [
  '',
  'sign-in',
  'two-factor',
  'setup',
  'invite',
  'forgot-password',
  'reset-password',
  'networks',
  'profile',
  'lead',
  'report',
  'cases',
  'statistics',
  'admin',
  'impact',
  'concerns',
  'actions',
  'notifications',
  'polls',
  'meetings',
];

/** Is this path (without the query) in one of the app's sections? */
export function isAppPagePath(pathname: string): boolean {
  const first = pathname.split('/')[1] ?? '';
  return PAGE_SECTIONS.includes(first);
}
