import { useMemo } from 'react';
import { Link } from 'wouter';
import type { z } from 'zod';
import type { MyReportSchema } from '../../../shared/speak-up/schema';
import { api, seg } from '../../app/api';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { type Attachment, formatDate, formatDateTime, statusLabels } from './common';
import { type ReportAccess, type ReporterView, ReportView } from './reporter-view';

/**
 * `/report/mine` and `/report/mine/:id`: the named reports of the signed-in person. The server
 * finds them by a keyed hash of the person's id and checks the sealed identity; anyone else's
 * report is the same 404 as one that does not exist.
 */

type MyReport = z.infer<typeof MyReportSchema>;

export function MyReportsPage() {
  const list = useLoad<MyReport[]>('/api/speak-up/my-reports');
  if (list.loading && !list.data) return <Loading what="Loading your reports" />;
  return (
    <Page
      title="My reports"
      lead="The reports you made with your name. For an anonymous report, use its receipt code on the follow-up page."
    >
      {list.error ? <LoadError message={list.error} retry={list.reload} /> : null}
      {list.data && list.data.length === 0 ? (
        <p>You have not made a named report.</p>
      ) : (
        <ul className="card-list" aria-label="Your named reports">
          {(list.data ?? []).map((r) => (
            <li key={r.id} className="card">
              <p className="card-title">
                <Link href={`/report/mine/${seg(r.id)}`}>Report {r.reference}</Link>
              </p>
              <p>
                {r.held ? 'Held until someone else reports the same person' : statusLabels[r.status]}; made{' '}
                {formatDate(r.receivedAt)}.
                {r.lastReplyAt ? <> Last reply {formatDateTime(r.lastReplyAt)}.</> : <> No reply yet.</>}
              </p>
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link href="/report">Make a new report</Link> ·{' '}
        <Link href="/report/follow-up">Follow up with a receipt code</Link>
      </p>
    </Page>
  );
}

export function MyReportPage({ id }: { id: string }) {
  const base = `/api/speak-up/my-reports/${seg(id)}`;
  const report = useLoad<ReporterView>(base);
  const access = useMemo<ReportAccess>(
    () => ({
      key: id,
      load: () => api.get<ReporterView>(base),
      sendMessage: async (body) => {
        await api.post(`${base}/messages`, { body });
      },
      listFiles: () => api.get<Attachment[]>(`${base}/attachments`),
      uploadFile: (file) => api.post<Attachment>(`${base}/attachments`, file),
      fileHref: (file) => `${base}/attachments/${seg(file.id)}`,
    }),
    [id, base],
  );
  if (report.loading && !report.data) return <Loading what="Loading your report" />;
  if (report.error || !report.data) {
    return (
      <Page title="Report not available">
        <LoadError message={report.error ?? 'This report could not be loaded.'} retry={report.reload} />
        <p>
          <Link href="/report/mine">Back to my reports</Link>
        </p>
      </Page>
    );
  }
  return (
    <ReportView
      access={access}
      view={report.data}
      onChange={() => report.reload()}
      footer={
        <p>
          <Link href="/report/mine">Back to my reports</Link>
        </p>
      }
    />
  );
}
