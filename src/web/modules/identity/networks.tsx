import { Link } from 'wouter';
import type { z } from 'zod';
import type { NetworkSummarySchema } from '../../../shared/identity/schema';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { rolesOf, useSession } from '../../app/session';

type NetworkSummary = z.infer<typeof NetworkSummarySchema>;

function NetworkCard({ network }: { network: NetworkSummary }) {
  return (
    <li className="card">
      <Link href={`/networks/${network.slug}`} className="card-title">
        {network.name}
      </Link>
      <p className="muted">
        {network.institutionName} · {network.memberCount} {network.memberCount === 1 ? 'member' : 'members'}
      </p>
      {network.description ? <p className="clamp">{network.description}</p> : null}
    </li>
  );
}

/** `/networks`: every network (and, for members, theirs first). */
export function NetworksPage() {
  const { session } = useSession();
  const roles = rolesOf(session);
  const { data, error, loading, reload } = useLoad<NetworkSummary[]>('/api/networks');
  const mine = new Set(session.memberships.map((m) => m.networkId));
  const myNetworks = (data ?? []).filter((n) => mine.has(n.id));
  const others = (data ?? []).filter((n) => !mine.has(n.id));
  return (
    <Page
      title={roles.signedIn ? 'My networks' : 'Networks'}
      lead="Each network brings students and staff of a medical school together as equals, with a student and a staff co-chair."
    >
      {loading ? <Loading what="Loading networks" /> : null}
      {error ? <LoadError message={error} retry={reload} /> : null}
      {data && roles.signedIn ? (
        <section className="section">
          <h2 id="mine-heading">Your networks</h2>
          {myNetworks.length ? (
            <ul className="card-list">
              {myNetworks.map((n) => (
                <NetworkCard key={n.id} network={n} />
              ))}
            </ul>
          ) : (
            <p>You are not a member of a network yet. Co-chairs invite members by e-mail.</p>
          )}
        </section>
      ) : null}
      {data ? (
        <section className="section">
          <h2 id="all-heading">{roles.signedIn ? 'Other networks' : 'All networks'}</h2>
          {others.length ? (
            <ul className="card-list">
              {others.map((n) => (
                <NetworkCard key={n.id} network={n} />
              ))}
            </ul>
          ) : (
            <p>{data.length ? 'You belong to every network here.' : 'No networks have been set up yet.'}</p>
          )}
        </section>
      ) : null}
    </Page>
  );
}
