import { lazyPage, type ModuleNav, type ModuleRoute } from '../../app/module-routes';

/** The meetings module's pages (each lazily loaded) and its navigation entries. */
export const meetingsRoutes: ModuleRoute[] = [
  {
    path: '/networks/:slug/meetings',
    page: lazyPage(() => import('./meetings'), 'MeetingsPage'),
    signedIn: true,
  },
  {
    path: '/networks/:slug/meetings/series',
    page: lazyPage(() => import('./series'), 'SeriesPage'),
    signedIn: true,
  },
  {
    path: '/networks/:slug/meetings/attendance',
    page: lazyPage(() => import('./attendance'), 'AttendancePage'),
    signedIn: true,
  },
  {
    path: '/networks/:slug/polls/new',
    page: lazyPage(() => import('./poll-new'), 'PollNewPage'),
    signedIn: true,
  },
  { path: '/polls/:id', page: lazyPage(() => import('./poll'), 'PollPage'), signedIn: true },
  { path: '/meetings/:id', page: lazyPage(() => import('./meeting'), 'MeetingPage'), signedIn: true },
];

const inMeetings = (path: string) =>
  /^\/networks\/[^/]+\/(meetings|polls)(\/|$)/.test(path) ||
  path.startsWith('/polls/') ||
  path.startsWith('/meetings/');

/** Signed-in members: "Meetings", for their first network (the page links to the others). */
export const meetingsNav: ModuleNav = (session) => {
  if (session.stage !== 'signed_in') return [];
  const first = session.memberships[0];
  if (!first) return [];
  return [
    {
      href: `/networks/${encodeURIComponent(first.networkSlug)}/meetings`,
      label: 'Meetings',
      match: inMeetings,
    },
  ];
};
