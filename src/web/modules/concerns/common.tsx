import type { ReactNode } from 'react';
import { Link } from 'wouter';
import type { z } from 'zod';
import type { NetworkDetailSchema } from '../../../shared/identity/schema';
import { seg } from '../../app/api';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { ReceiptCodeSection } from '../../app/receipt';

export type NetworkDetail = z.infer<typeof NetworkDetailSchema>;

/** Concerns: small components shared by the signed-in concerns pages (labels are in labels.tsx). */

/** Shows a fully anonymous concern's receipt code once, with a warning and a copy button. */
export function ReceiptCode({ code, headingId }: { code: string; headingId: string }) {
  return (
    <ReceiptCodeSection
      code={code}
      headingId={headingId}
      warning="It is the only way to follow your concern, because nobody, not even the co-chairs, knows it is yours."
    />
  );
}

/**
 * Loads a network by its slug (the pages' addresses use slugs; the API uses ids) and renders
 * `children` with it, or a loading line or error page titled `title`.
 */
export function WithNetwork({
  slug,
  title,
  children,
}: {
  slug: string;
  title: string;
  children: (network: NetworkDetail) => ReactNode;
}) {
  const network = useLoad<NetworkDetail>(`/api/networks/${seg(slug)}`);
  if (network.data) return <>{children(network.data)}</>;
  return (
    <Page title={network.error ? 'Network not available' : title}>
      {network.error ? (
        <LoadError message={network.error} retry={network.reload} />
      ) : (
        <Loading what="Loading the network" />
      )}
      <p>
        <Link href="/networks">All networks</Link>
      </p>
    </Page>
  );
}
