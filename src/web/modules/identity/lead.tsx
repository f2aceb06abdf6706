import { Link } from 'wouter';
import { leadTitleLabel } from '../../app/forms';
import { Page } from '../../app/page';
import { rolesOf, useSession } from '../../app/session';

/** `/lead`: the networks this person leads, with their management tools one tap away. */
export function LeadPage() {
  const { session } = useSession();
  const { ledNetworks } = rolesOf(session);
  return (
    <Page title="Lead" lead="Tools for the networks you lead as a co-chair or action lead.">
      {ledNetworks.length === 0 ? (
        <p>You do not lead a network at the moment.</p>
      ) : (
        <ul className="card-list">
          {ledNetworks.map((m) => (
            <li key={m.networkId} className="card">
              <h2 className="card-heading">{m.networkName}</h2>
              <p className="muted">
                {m.institutionName} · you are {leadTitleLabel(m.leadTitle).toLowerCase()}
              </p>
              <ul className="link-list">
                <li>
                  <Link href={`/networks/${m.networkSlug}#members`}>Manage members of {m.networkName}</Link>
                </li>
                <li>
                  <Link href={`/networks/${m.networkSlug}#invite`}>Invite someone to {m.networkName}</Link>
                </li>
                <li>
                  <Link href={`/networks/${m.networkSlug}#import`}>Import a cohort into {m.networkName}</Link>
                </li>
              </ul>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
