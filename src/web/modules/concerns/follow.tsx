import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { type ConcernAuthorView, ReceiptFollowSchema } from '../../../shared/concerns/schema';
import { api } from '../../app/api';
import { ErrorSummary, SubmitButton, TextField, useForm } from '../../app/forms';
import { Page } from '../../app/page';
import { categoryLabels, concernStatusLabels, formatDate, formatDateTime } from './labels';

/**
 * `/concerns/follow`: the author of a fully anonymous concern opens it with the receipt code. The
 * code stays in this component's memory and in the POST body: never in the address or storage.
 */
export function FollowConcernPage() {
  const [view, setView] = useState<ConcernAuthorView | null>(null);
  const form = useForm(['receipt']);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const receipt = String(new FormData(event.currentTarget).get('receipt') ?? '');
    void form.submit(ReceiptFollowSchema, { receipt }, async (body) => {
      setView(await api.post<ConcernAuthorView>('/api/concerns/follow', body));
    });
  }

  if (view) return <AuthorView view={view} onClose={() => setView(null)} />;
  return (
    <Page
      title="Follow a concern"
      lead="Enter the receipt code you were given when you raised a concern fully anonymously, to see its status and the co-chairs’ answer."
    >
      <form noValidate method="post" onSubmit={onSubmit}>
        <ErrorSummary form={form} />
        <TextField
          form={form}
          name="receipt"
          label="Receipt code"
          hint="20 digits, like 1234-5678-9012-3456-7890. Dashes and spaces are optional."
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          className="input-code su-receipt-input"
        />
        <SubmitButton form={form}>Open my concern</SubmitButton>
      </form>
      <p>
        Lost your code? It cannot be recovered. You can raise the concern again, or support it if you can see
        it in your network’s list.
      </p>
    </Page>
  );
}

function AuthorView({ view: v, onClose }: { view: ConcernAuthorView; onClose: () => void }) {
  return (
    <Page title={`Your concern #${v.number}`}>
      <p className="badges">
        <span className="badge" data-testid="concern-status">
          {concernStatusLabels[v.status]}
        </span>
        <span className="badge badge-quiet">{categoryLabels[v.category]}</span>
      </p>
      {v.hiddenInfo ? (
        <div className="callout su-alert">
          <p>
            <strong>The leads hid this concern from members</strong> on {formatDate(v.hiddenInfo.hiddenAt)}.
            Their reason: {v.hiddenInfo.reason}
          </p>
        </div>
      ) : null}
      <dl className="facts">
        <dt>Network</dt>
        <dd>{v.networkName}</dd>
        <dt>Raised</dt>
        <dd>{formatDate(v.createdAt)}</dd>
        <dt>Supporters</dt>
        <dd>{v.supportCount}</dd>
        <dt>First answer</dt>
        <dd>
          {v.answer ? 'Answered' : `Due by ${formatDate(v.firstAnswerDueAt)}`}
          {v.overdue ? ' (overdue: the co-chairs have been reminded)' : ''}
        </dd>
      </dl>
      <h2>{v.title}</h2>
      <p className="su-text">{v.description}</p>
      <section className="section" aria-labelledby="cn-f-answer">
        <h2 id="cn-f-answer">The co-chairs’ answer</h2>
        {v.answer ? <p className="callout su-text">{v.answer}</p> : <p>Not answered yet.</p>}
        {v.action ? (
          <p>
            It is part of the action “{v.action.title}” ({v.action.progress}% done). Once public, its story is
            on the <Link href="/impact">impact board</Link>.
          </p>
        ) : null}
      </section>
      <section className="section" aria-labelledby="cn-f-timeline">
        <h2 id="cn-f-timeline">What has happened</h2>
        <ol className="plain-list su-timeline">
          {v.timeline.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the timeline has no ids here and never reorders
            <li key={i} className="su-event">
              <p className="small muted">{formatDateTime(e.at)}</p>
              <p>
                {e.kind === 'raised'
                  ? 'Raised'
                  : e.toStatus
                    ? `Status: ${concernStatusLabels[e.toStatus]}`
                    : e.kind === 'hidden'
                      ? 'Hidden from members'
                      : e.kind === 'unhidden'
                        ? 'Shown again'
                        : 'Updated'}
              </p>
              {e.answer ? <p className="su-text">{e.answer}</p> : null}
            </li>
          ))}
        </ol>
      </section>
      <p>
        <button type="button" className="link-button" onClick={onClose}>
          Close this concern
        </button>{' '}
        (do this on a shared device).
      </p>
    </Page>
  );
}
