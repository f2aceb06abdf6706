import { Link } from 'wouter';
import { Page } from '../../app/page';
import { rolesOf, useSession } from '../../app/session';

/** The front door: what Upstander is, for visitors; a starting point for members. */
export function HomePage() {
  const { session } = useSession();
  const roles = rolesOf(session);
  if (roles.signedIn && session.user) return <MemberHome />;
  return (
    <Page
      title=""
      heading="No issue is too big or too small"
      lead="Upstander is where our medical school’s student–staff racial-justice network meets, listens and acts. Students and staff take part as equals, led by a student co-chair and a staff co-chair."
    >
      <section className="section">
        <h2 id="what-heading">What the network does</h2>
        <ul className="feature-list">
          <li>
            <strong>Time and space to meet.</strong> Monthly meetings open to every member, whatever your year
            or role.
          </li>
          <li>
            <strong>Routes you can trust.</strong> Support, and ways to speak up about racism, including on
            clinical placement.
          </li>
          <li>
            <strong>Change you can see.</strong> Every concern gets attention, and we show what changed and
            why.
          </li>
          <li>
            <strong>Representation.</strong> Students and staff share the leadership, and sister networks work
            alongside us.
          </li>
        </ul>
      </section>
      <section className="section">
        <h2 id="join-heading">Get involved</h2>
        <p>
          Networks invite their members by e-mail. If you have an invitation, follow the link in it to create
          your account.
        </p>
        <div className="actions">
          <Link href="/networks" className="button">
            See the networks
          </Link>
          <Link href="/sign-in" className="button button-secondary">
            Sign in
          </Link>
        </div>
      </section>
      <section className="section">
        <h2 id="speak-up-heading">Speak up</h2>
        <p>
          Experienced or saw racism, on campus or on placement? You can tell a trained case handler,
          anonymously if you wish. Support contacts are shown first.
        </p>
        <div className="actions">
          <Link href="/report" className="button">
            Report something that happened
          </Link>
          <Link href="/report/follow-up" className="button button-secondary">
            Follow up a report
          </Link>
        </div>
      </section>
    </Page>
  );
}

function MemberHome() {
  const { session } = useSession();
  const roles = rolesOf(session);
  const firstName = session.user!.name.split(' ')[0] ?? session.user!.name;
  return (
    <Page title="Home" heading={`Welcome, ${firstName}`}>
      <section className="section">
        <h2 id="mine-heading">Your networks</h2>
        {session.memberships.length === 0 ? (
          <p>
            You are not a member of a network yet. <Link href="/networks">Browse the networks</Link> or ask a
            co-chair for an invitation.
          </p>
        ) : (
          <ul className="card-list">
            {session.memberships.map((m) => (
              <li key={m.networkId} className="card">
                <Link href={`/networks/${m.networkSlug}`} className="card-title">
                  {m.networkName}
                </Link>
                <p className="muted">
                  {m.institutionName} · {m.role === 'lead' ? 'Lead' : 'Member'}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
      {roles.isLead || roles.isAdmin || roles.isCaseHandler ? (
        <section className="section">
          <h2 id="tasks-heading">Your roles</h2>
          <ul className="link-list">
            {roles.isLead ? (
              <li>
                <Link href="/lead">Lead: manage members and import cohorts</Link>
              </li>
            ) : null}
            {roles.isCaseHandler ? (
              <li>
                <Link href="/cases">Case handling</Link>
              </li>
            ) : null}
            {roles.isAdmin ? (
              <li>
                <Link href="/admin">Administration</Link>
              </li>
            ) : null}
          </ul>
        </section>
      ) : null}
      {!session.user!.hasTotp ? (
        <section className="section">
          <h2 id="secure-heading">Protect your account</h2>
          <p>
            Two-factor authentication stops someone who learns your password from signing in as you.{' '}
            <Link href="/two-factor/setup">Set up two-factor authentication</Link>
          </p>
        </section>
      ) : null}
    </Page>
  );
}
