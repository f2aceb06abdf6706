import { lazy, Suspense } from 'react';
import { Link } from 'wouter';
import { seg } from '../../app/api';
import { kindLabel } from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { useSession } from '../../app/session';
import { describeMember, type NetworkDetail, type NetworkMember } from './members';

export { describeMember, type NetworkDetail, type NetworkMember } from './members';

// Leads and admins only: visitors and members never download the management tools.
const ManageNetwork = lazy(() => import('./network-manage').then((m) => ({ default: m.ManageNetwork })));

/** `/networks/:slug`: about the network; members for members; management for leads and admins. */
export function NetworkPage({ slug }: { slug: string }) {
  const { session } = useSession();
  const { data: network, error, reload } = useLoad<NetworkDetail>(`/api/networks/${seg(slug)}`);

  if (!network) {
    return (
      <Page title={error ? 'Network not available' : 'Network'}>
        {error ? <LoadError message={error} retry={reload} /> : <Loading what="Loading the network" />}
        <p>
          <Link href="/networks">All networks</Link>
        </p>
      </Page>
    );
  }
  const { viewer } = network;
  return (
    <Page title={network.name} lead={network.description || undefined}>
      <p className="muted">
        {network.institutionName} · {network.memberCount} {network.memberCount === 1 ? 'member' : 'members'}
        {viewer.isMember ? ' · You are a member' : ''}
      </p>
      {viewer.canManage ? (
        <nav aria-label="On this page" className="toc">
          <ul>
            <li>
              <a href="#members">Members</a>
            </li>
            <li>
              <a href="#invite">Invite someone</a>
            </li>
            <li>
              <a href="#import">Import a cohort</a>
            </li>
          </ul>
        </nav>
      ) : null}
      <section className="section">
        <h2 id="cochairs-heading">Co-chairs</h2>
        {network.coChairs.length ? (
          <ul className="plain-list">
            {network.coChairs.map((c) => (
              <li key={`${c.name}-${c.kind}`}>
                {c.name} <span className="muted">({kindLabel(c.kind).toLowerCase()} co-chair)</span>
              </li>
            ))}
          </ul>
        ) : (
          <p>No co-chairs have been named yet.</p>
        )}
      </section>
      {viewer.canManage ? (
        <Suspense fallback={<Loading what="Loading the management tools" />}>
          <ManageNetwork network={network} onChanged={reload} />
        </Suspense>
      ) : viewer.isMember ? (
        <MemberList networkId={network.id} />
      ) : (
        <section className="section">
          <h2 id="join-heading">Joining</h2>
          <p>
            Co-chairs invite members by e-mail.{' '}
            {session.stage === 'signed_out' ? (
              <>
                Already a member?{' '}
                <Link href={`/sign-in?next=${encodeURIComponent(`/networks/${slug}`)}`}>Sign in</Link> to see
                the members.
              </>
            ) : (
              'Ask a co-chair for an invitation.'
            )}
          </p>
        </section>
      )}
    </Page>
  );
}

function MemberList({ networkId }: { networkId: string }) {
  const { data, error, reload } = useLoad<NetworkMember[]>(`/api/networks/${seg(networkId)}/members`);
  return (
    <section className="section">
      <h2 id="members-heading">Members</h2>
      {error ? <LoadError message={error} retry={reload} /> : null}
      {!data && !error ? <Loading what="Loading members" /> : null}
      {data ? (
        <ul className="member-list">
          {data.map((m) => (
            <li key={m.userId} className="member">
              <span className="member-name">{m.name}</span>
              <span className="muted">{describeMember(m)}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
