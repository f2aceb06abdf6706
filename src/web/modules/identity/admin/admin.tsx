import { Link, Route, Switch } from 'wouter';
import { NotFoundPage } from '../../../app/page';
import { AdminPage, SECTIONS } from './admin-page';
import { AuditPage } from './audit';
import { InstitutionsPage } from './institutions';
import { OutboxPage } from './outbox';
import { SpeakUpDirectoryPage } from './speak-up-directory';
import { SsoProvidersPage } from './sso';
import { UsersPage } from './users';

function AdminHome() {
  return (
    <AdminPage title="Administration">
      <p>
        Administrators run the platform. They cannot read reports unless they are also a case handler of that
        institution.
      </p>
      <ul className="card-list">
        {SECTIONS.map((s) => (
          <li key={s.href} className="card">
            <Link href={s.href} className="card-title">
              {s.label}
            </Link>
            <p className="muted">{s.about}</p>
          </li>
        ))}
      </ul>
    </AdminPage>
  );
}

/** `/admin/*`, loaded only when an administrator opens it. */
export function AdminArea() {
  return (
    <Switch>
      <Route path="/admin" component={AdminHome} />
      <Route path="/admin/institutions" component={InstitutionsPage} />
      <Route path="/admin/institutions/:id/speak-up" component={SpeakUpDirectoryPage} />
      <Route path="/admin/users" component={UsersPage} />
      <Route path="/admin/sso" component={SsoProvidersPage} />
      <Route path="/admin/outbox" component={OutboxPage} />
      <Route path="/admin/audit" component={AuditPage} />
      <Route component={NotFoundPage} />
    </Switch>
  );
}
