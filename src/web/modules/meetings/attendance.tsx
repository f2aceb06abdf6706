import { seg } from '../../app/api';
import { Chart } from '../../app/chart';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { MeetingsSubnav, type NetworkDetail } from './common';
import type { AttendanceStats } from './types';

/**
 * `/networks/:slug/meetings/attendance`: who comes to meetings over time, by membership kind, and
 * how many meetings were held each month since the network began (charts with their tables).
 */

const shortDay = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso));
const monthName = (month: string) =>
  new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${month}-01T00:00:00Z`),
  );
const average = (values: number[]) =>
  values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10 : 0;

export function AttendancePage({ slug }: { slug: string }) {
  const network = useLoad<NetworkDetail>(`/api/networks/${seg(slug)}`);
  const id = network.data?.id;
  const stats = useLoad<AttendanceStats>(id ? `/api/networks/${seg(id)}/meetings/stats` : null);

  if (!network.data) {
    return (
      <Page title="Meeting attendance">
        {network.error ? (
          <LoadError message={network.error} retry={network.reload} />
        ) : (
          <Loading what="Loading the network" />
        )}
      </Page>
    );
  }
  const net = network.data;
  const s = stats.data;
  // Two meetings on one day would share a label: number the second so every row is its own.
  const seen = new Map<string, number>();
  const meetingLabels = (s?.meetings ?? []).map((m) => {
    const day = shortDay(m.startsAt);
    const n = (seen.get(day) ?? 0) + 1;
    seen.set(day, n);
    return n > 1 ? `${day} (${n})` : day;
  });
  const held = (s?.perMonth ?? []).reduce((sum, m) => sum + m.held, 0);

  return (
    <Page title={`${net.name}: meeting attendance`}>
      <MeetingsSubnav
        slug={slug}
        isLead={net.viewer.isLead}
        current={`/networks/${slug}/meetings/attendance`}
      />
      {stats.error ? <LoadError message={stats.error} retry={stats.reload} /> : null}
      {stats.loading && !s ? <Loading what="Loading attendance" /> : null}
      {s ? (
        <>
          <section className="section" aria-labelledby="mt-att-heading">
            <h2 id="mt-att-heading">Attendance by membership kind</h2>
            {s.meetings.length === 0 ? (
              <p>No attendance has been recorded yet. It appears here once minutes record who came.</p>
            ) : (
              <Chart
                type="line"
                integers
                title="People at each meeting, by membership kind"
                summary={`Over ${s.meetings.length} ${s.meetings.length === 1 ? 'meeting' : 'meetings'}, on average ${average(s.meetings.map((m) => m.student))} students, ${average(s.meetings.map((m) => m.staff))} staff and ${average(s.meetings.map((m) => m.alumnus))} alumni came.`}
                labels={meetingLabels}
                datasets={[
                  { label: 'Students', data: s.meetings.map((m) => m.student) },
                  { label: 'Staff', data: s.meetings.map((m) => m.staff) },
                  { label: 'Alumni and fellows', data: s.meetings.map((m) => m.alumnus) },
                ]}
              />
            )}
          </section>
          <section className="section" aria-labelledby="mt-held-heading">
            <h2 id="mt-held-heading">Meetings held each month</h2>
            {s.perMonth.length === 0 ? (
              <p>No meetings have been held yet.</p>
            ) : (
              <Chart
                type="bar"
                integers
                title="Meetings held per month"
                summary={`${held} ${held === 1 ? 'meeting' : 'meetings'} held in the ${s.perMonth.length} ${s.perMonth.length === 1 ? 'month' : 'months'} since ${monthName(s.perMonth[0]!.month)}.`}
                labels={s.perMonth.map((m) => monthName(m.month))}
                datasets={[{ label: 'Meetings held', data: s.perMonth.map((m) => m.held) }]}
              />
            )}
          </section>
        </>
      ) : null}
    </Page>
  );
}
