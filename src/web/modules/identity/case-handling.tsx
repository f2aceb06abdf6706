import { Page } from '../../app/page';
import { useSession } from '../../app/session';

/** `/cases`: an honest placeholder until the speak-up module exists. */
export function CaseHandlingPage() {
  const { session } = useSession();
  return (
    <Page title="Case handling">
      {session.caseHandlerOf.length ? (
        <p>
          You are a trained case handler for{' '}
          <strong>{session.caseHandlerOf.map((c) => c.institutionName).join(', ')}</strong>.
        </p>
      ) : (
        <p>You are not a case handler for any institution.</p>
      )}
      <div className="callout">
        <p>
          <strong>Cases arrive with the speak-up module, which is not part of Upstander yet.</strong>
        </p>
        <p>
          There are no reports to handle here today, and none are being collected. When the module arrives,
          reports of racial harassment or discrimination made to your institution will appear on this page,
          readable only by its case handlers, with every read recorded.
        </p>
      </div>
    </Page>
  );
}
