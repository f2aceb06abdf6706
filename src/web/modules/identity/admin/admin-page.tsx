import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { Page } from '../../../app/page';

/** The admin area's sections. */
export const SECTIONS = [
  {
    href: '/admin/institutions',
    label: 'Institutions and networks',
    about: 'Add institutions and their networks.',
  },
  {
    href: '/admin/users',
    label: 'Users',
    about: 'Find people, make administrators, disable accounts, name case handlers, add people to networks.',
  },
  {
    href: '/case-handler-requests',
    label: 'Case-handler requests',
    about: 'Approve or decline another administrator’s request to make someone a case handler.',
  },
  { href: '/admin/sso', label: 'Single sign-on', about: 'Connect a university’s login (OpenID Connect).' },
  {
    href: '/admin/outbox',
    label: 'Mail outbox',
    about: 'Mail sent without an SMTP server, for development.',
  },
  {
    href: '/admin/audit',
    label: 'Audit log',
    about: 'Every change that matters, in a hash chain you can verify.',
  },
] as const;

function AdminNav() {
  const [location] = useLocation();
  return (
    <nav aria-label="Admin" className="subnav">
      <ul>
        <li>
          <Link href="/admin" aria-current={location === '/admin' ? 'page' : undefined}>
            Overview
          </Link>
        </li>
        {SECTIONS.map((s) => (
          <li key={s.href}>
            <Link href={s.href} aria-current={location.startsWith(s.href) ? 'page' : undefined}>
              {s.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Every admin page: its h1, the admin navigation, then the content. */
export function AdminPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Page title={`${title} – Admin`} heading={title}>
      <AdminNav />
      {children}
    </Page>
  );
}
