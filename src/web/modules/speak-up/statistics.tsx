import { useState } from 'react';
import type { z } from 'zod';
import type { StatisticsSchema } from '../../../shared/speak-up/schema';
import { seg } from '../../app/api';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { rolesOf, useSession } from '../../app/session';
import { formatDate } from './common';

/**
 * `/statistics`: counts of reports for leads, case handlers and admins, rounded and suppressed by
 * the server ("fewer than 5", ".."). Never a single case.
 */

type Statistics = z.infer<typeof StatisticsSchema>;
type Row = Statistics['byMonth'][number];

/** The academic year that today falls in: 2025 = August 2025 to July 2026. */
const currentAcademicYear = () => {
  const now = new Date();
  return now.getUTCMonth() >= 7 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
};

export function StatisticsPage() {
  const { session } = useSession();
  const roles = rolesOf(session);
  const admin = roles.isAdmin;
  const institutions = useLoad<{ id: string; name: string }[]>(admin ? '/api/admin/institutions' : null);
  const own = new Map<string, string>();
  for (const m of roles.ledNetworks) own.set(m.institutionId, m.institutionName);
  for (const c of session.caseHandlerOf) own.set(c.institutionId, c.institutionName);
  for (const i of institutions.data ?? []) own.set(i.id, i.name);
  const choices = [...own.entries()].map(([value, label]) => ({ value, label }));
  const [institutionId, setInstitutionId] = useState('');
  const [year, setYear] = useState(currentAcademicYear());
  const chosen = institutionId || choices[0]?.value || '';
  const stats = useLoad<Statistics>(
    chosen ? `/api/speak-up/institutions/${seg(chosen)}/statistics?year=${year}` : null,
  );
  const years = Array.from({ length: 5 }, (_, i) => currentAcademicYear() - i);

  return (
    <Page
      title="Speak-up statistics"
      lead="How many reports were made, where, and how they ended. Small numbers are hidden so that no one can be identified."
    >
      {institutions.loading ? <Loading what="Loading schools" /> : null}
      {choices.length === 0 && !institutions.loading ? (
        <p>Statistics are for network leads, case handlers and administrators.</p>
      ) : (
        <div className="search-form su-filters">
          {choices.length > 1 ? (
            <div className="field">
              <label htmlFor="su-s-inst">Medical school</label>
              <select id="su-s-inst" value={chosen} onChange={(e) => setInstitutionId(e.target.value)}>
                {choices.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="su-s-year">Academic year</label>
            <select id="su-s-year" value={year} onChange={(e) => setYear(Number(e.target.value))}>
              {years.map((y) => (
                <option key={y} value={y}>
                  {y}–{String((y + 1) % 100).padStart(2, '0')}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      {stats.loading ? (
        <Loading what="Loading statistics" />
      ) : stats.error ? (
        <LoadError message={stats.error} retry={stats.reload} />
      ) : stats.data ? (
        <StatisticsTables s={stats.data} schoolName={own.get(chosen) ?? ''} />
      ) : null}
    </Page>
  );
}

const monthName = (ym: string) =>
  new Date(`${ym}-01T00:00:00Z`).toLocaleDateString('en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

function StatisticsTables({ s, schoolName }: { s: Statistics; schoolName: string }) {
  const yearLabel = `${s.academicYear}–${String((s.academicYear + 1) % 100).padStart(2, '0')}`;
  return (
    <>
      <section className="section" aria-labelledby="su-st-total">
        <h2 id="su-st-total">
          {schoolName ? `${schoolName}, ` : ''}
          {yearLabel}
        </h2>
        <dl className="facts">
          <dt>Reports</dt>
          <dd data-testid="stat-total">{s.total.display}</dd>
          <dt>Median days to acknowledge</dt>
          <dd>{s.medianDaysToAcknowledge.display}</dd>
          <dt>Median days to close</dt>
          <dd>{s.medianDaysToClose.display}</dd>
          <dt>Months covered</dt>
          <dd>
            {s.months.length
              ? `${monthName(s.months[0]!)} to ${monthName(s.months[s.months.length - 1]!)}`
              : 'None yet (only complete months are counted)'}
          </dd>
        </dl>
      </section>
      <StatTable
        caption="Reports by month"
        rows={s.byMonth.map((r) => ({ ...r, label: r.label || monthName(r.key) }))}
      />
      <StatTable caption="Reports by setting" rows={s.bySetting} />
      <StatTable caption="Reports by placement provider" rows={s.byProvider} />
      <StatTable caption="Action taken" rows={s.byActionKind} />
      <StatTable caption="Outcomes of closed cases" rows={s.byOutcome} />
      <section className="section" aria-labelledby="su-st-method">
        <h2 id="su-st-method">How these numbers are made</h2>
        <p>{s.method}</p>
        <p className="small muted">Shown on {formatDate(new Date().toISOString())}.</p>
      </section>
    </>
  );
}

function StatTable({ caption, rows }: { caption: string; rows: Row[] }) {
  if (rows.length === 0) return null;
  return (
    <div className="su-table-wrap">
      <table className="su-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col" className="su-num">
              Reports
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td className="su-num">{r.count.display}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
