import { useState } from 'react';
import type { z } from 'zod';
import type { CaseHandlerRequestSchema } from '../../../shared/identity/schema';
import { api, seg } from '../../app/api';
import { ErrorSummary, noInput, StatusMessage, useForm } from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { formatDateTime } from './admin/outbox';

type CaseHandlerRequest = z.infer<typeof CaseHandlerRequestSchema>;

/**
 * `/case-handler-requests`: requests to make someone a case handler, for the second person to
 * approve or decline (another administrator, or a case handler of that school), and for the
 * administrator who asked to withdraw.
 */
export function CaseHandlerRequestsPage() {
  const requests = useLoad<CaseHandlerRequest[]>('/api/case-handler-requests');
  const [status, setStatus] = useState<string | null>(null);
  const changed = (message: string) => {
    setStatus(message);
    requests.reload();
  };
  return (
    <Page title="Case-handler requests">
      <p>
        Case handlers read a school’s reports, so no one is made a case handler by one person alone. An
        administrator asks; another administrator or a case handler of that school approves.
      </p>
      <StatusMessage message={status} />
      {requests.error ? <LoadError message={requests.error} retry={requests.reload} /> : null}
      {!requests.data && !requests.error ? <Loading what="Loading requests" /> : null}
      {requests.data?.length === 0 ? <p>No requests are waiting.</p> : null}
      {requests.data?.length ? (
        <ul className="card-list">
          {requests.data.map((r) => (
            <RequestCard key={r.id} request={r} onChanged={changed} />
          ))}
        </ul>
      ) : null}
    </Page>
  );
}

function RequestCard({
  request,
  onChanged,
}: {
  request: CaseHandlerRequest;
  onChanged: (m: string) => void;
}) {
  const form = useForm([]);
  const who = `${request.userName} for ${request.institutionName}`;
  const decide = (action: 'approve' | 'decline', done: string) =>
    form.submit(noInput, null, async () => {
      await api.post(`/api/case-handler-requests/${seg(request.id)}/${action}`);
      onChanged(done);
    });
  return (
    <li className="card">
      <h2 className="card-heading">{who}</h2>
      <dl className="facts">
        <dt>Person</dt>
        <dd className="break">
          {request.userName} ({request.userEmail})
        </dd>
        <dt>Asked by</dt>
        <dd>
          {request.requestedByName}, {formatDateTime(request.requestedAt)}
        </dd>
      </dl>
      <ErrorSummary form={form} />
      {request.mayDecide ? (
        <div className="actions">
          <button
            type="button"
            className="button"
            onClick={() =>
              decide('approve', `${request.userName} is now a case handler for ${request.institutionName}.`)
            }
          >
            Approve<span className="vh"> {who}</span>
          </button>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => decide('decline', `The request for ${who} was declined.`)}
          >
            Decline<span className="vh"> {who}</span>
          </button>
        </div>
      ) : request.mayWithdraw ? (
        <>
          <p className="muted">
            Waiting for another administrator or a case handler of {request.institutionName}.
          </p>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => decide('decline', `You withdrew the request for ${who}.`)}
          >
            Withdraw<span className="vh"> the request for {who}</span>
          </button>
        </>
      ) : (
        <p className="muted">Waiting for someone other than the person named to approve.</p>
      )}
    </li>
  );
}
