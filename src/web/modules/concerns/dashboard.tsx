import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { type ConcernSettings, ConcernSettingsSchema, type Dashboard } from '../../../shared/concerns/schema';
import { api, seg } from '../../app/api';
import { Chart } from '../../app/chart';
import { ErrorSummary, StatusMessage, SubmitButton, TextField, useForm } from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { rolesOf, useSession } from '../../app/session';
import { type NetworkDetail, WithNetwork } from './common';
import { actionStatusLabels, concernStatusLabels, formatDate } from './labels';

/**
 * `/networks/:slug/concerns/dashboard`: for the network's leads. How quickly concerns are answered
 * (as charts, with small numbers suppressed because they describe people), what is overdue, what
 * has gone quiet, and the response clocks themselves.
 */

export function ConcernsDashboardPage({ slug }: { slug: string }) {
  return (
    <WithNetwork slug={slug} title="Concerns dashboard">
      {(network) => <DashboardView network={network} />}
    </WithNetwork>
  );
}

const monthLabel = (month: string) =>
  new Date(`${month}-15T12:00:00Z`).toLocaleDateString('en-GB', {
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });

function DashboardView({ network }: { network: NetworkDetail }) {
  const { session } = useSession();
  const allowed = network.viewer.isLead || rolesOf(session).isAdmin;
  const dashboard = useLoad<Dashboard>(
    allowed ? `/api/networks/${seg(network.id)}/concerns/dashboard` : null,
  );
  const title = `Concerns dashboard: ${network.name}`;
  const back = (
    <p>
      <Link href={`/networks/${seg(network.slug)}/concerns`}>All concerns in {network.name}</Link>
    </p>
  );
  if (!allowed) {
    return (
      <Page title={title}>
        <p>Only the network’s leads see its dashboard.</p>
        {back}
      </Page>
    );
  }
  if (!dashboard.data) {
    return (
      <Page title={title}>
        {dashboard.error ? (
          <LoadError message={dashboard.error} retry={dashboard.reload} />
        ) : (
          <Loading what="Loading the dashboard" />
        )}
        {back}
      </Page>
    );
  }
  const d = dashboard.data;
  const labels = d.months.map((m) => monthLabel(m.month));
  const first = labels[0] ?? '';
  const last = labels[labels.length - 1] ?? '';
  const busiest = d.months.reduce<(typeof d.months)[number] | null>(
    (best, m) => ((m.raised.value ?? 0) > (best?.raised.value ?? 0) ? m : best),
    null,
  );
  const latestShown = <T extends { value: number | null; display: string }>(
    pick: (m: (typeof d.months)[number]) => T,
  ) => [...d.months].reverse().find((m) => pick(m).value !== null);
  const latestMedian = latestShown((m) => m.medianDaysToFirstAnswer);
  const latestShare = latestShown((m) => m.answeredWithinClock);
  const completedTotal = d.actionsCompletedPerYear.reduce((sum, y) => sum + y.completed, 0);

  return (
    <Page
      title={title}
      lead="For the network’s leads: how quickly concerns get an answer, and what needs attention now."
    >
      {back}
      <section className="section" aria-labelledby="cn-d-overdue">
        <h2 id="cn-d-overdue">Concerns waiting too long for an answer</h2>
        {d.overdueConcerns.length === 0 ? (
          <p>None: every concern has been answered within {d.clocks.firstAnswerDays} days.</p>
        ) : (
          <ul className="card-list" aria-labelledby="cn-d-overdue">
            {d.overdueConcerns.map((c) => (
              <li key={c.id} className="card su-overdue">
                <Link href={`/concerns/${c.id}`} className="card-title">
                  #{c.number} {c.title}
                </Link>
                <p className="small">
                  <span className="su-overdue-text">
                    {c.daysOverdue} {c.daysOverdue === 1 ? 'day' : 'days'} overdue
                  </span>{' '}
                  · due {formatDate(c.firstAnswerDueAt)} · {concernStatusLabels[c.status]}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="section" aria-labelledby="cn-d-stale">
        <h2 id="cn-d-stale">Actions without a recent update</h2>
        {d.staleActions.length === 0 ? (
          <p>None: every open action has had an update within {d.clocks.actionUpdateDays} days.</p>
        ) : (
          <ul className="card-list" aria-labelledby="cn-d-stale">
            {d.staleActions.map((a) => (
              <li key={a.id} className="card su-overdue">
                <Link href={`/actions/${a.id}`} className="card-title">
                  A-{a.number} {a.title}
                </Link>
                <p className="small">
                  <span className="su-overdue-text">
                    Update {a.daysStale} {a.daysStale === 1 ? 'day' : 'days'} overdue
                  </span>{' '}
                  · {actionStatusLabels[a.status]} · last update{' '}
                  {a.lastUpdateAt ? formatDate(a.lastUpdateAt) : 'never'}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="section" aria-labelledby="cn-d-measures">
        <h2 id="cn-d-measures">Measures</h2>
        <p className="small">{d.method}</p>
        <Chart
          type="bar"
          title="Concerns raised each month"
          summary={
            busiest
              ? `From ${first} to ${last}; the most were raised in ${monthLabel(busiest.month)} (${busiest.raised.display}).`
              : `From ${first} to ${last}; no month had enough concerns to show a number.`
          }
          labels={labels}
          datasets={[{ label: 'Concerns raised', data: d.months.map((m) => m.raised.value) }]}
          suppressedText="Fewer than 5"
        />
        <Chart
          type="line"
          title="Median days to a first answer"
          summary={
            latestMedian
              ? `Half of the concerns raised in ${monthLabel(latestMedian.month)} had a first answer within ${latestMedian.medianDaysToFirstAnswer.display}; the clock is ${d.clocks.firstAnswerDays} days.`
              : 'Too few concerns to show a median yet.'
          }
          labels={labels}
          datasets={[{ label: 'Median days', data: d.months.map((m) => m.medianDaysToFirstAnswer.value) }]}
          suppressedText="Too few to show"
          format={(v) => `${v} ${v === 1 ? 'day' : 'days'}`}
        />
        <Chart
          type="line"
          title={`Answered within ${d.clocks.firstAnswerDays} days`}
          summary={
            latestShare
              ? `In ${monthLabel(latestShare.month)}, ${latestShare.answeredWithinClock.display} of concerns were answered within the clock.`
              : 'Too few concerns to show a share yet.'
          }
          labels={labels}
          datasets={[
            { label: 'Share answered in time', data: d.months.map((m) => m.answeredWithinClock.value) },
          ]}
          suppressedText="Too few to show"
          format={(v) => `${Math.round(v)}%`}
          max={100}
        />
        <Chart
          type="bar"
          title="Actions completed each year"
          summary={
            d.actionsCompletedPerYear.length
              ? `${completedTotal} ${completedTotal === 1 ? 'action' : 'actions'} completed since ${d.actionsCompletedPerYear[0]!.year}.`
              : 'No actions completed yet.'
          }
          labels={d.actionsCompletedPerYear.map((y) => String(y.year))}
          datasets={[{ label: 'Actions completed', data: d.actionsCompletedPerYear.map((y) => y.completed) }]}
        />
      </section>

      <ClockSettings network={network} onSaved={dashboard.reload} />
    </Page>
  );
}

function ClockSettings({ network, onSaved }: { network: NetworkDetail; onSaved: () => void }) {
  const url = `/api/networks/${seg(network.id)}/concerns/settings`;
  const settings = useLoad<ConcernSettings>(url);
  const form = useForm(['firstAnswerDays', 'actionUpdateDays']);
  const [saved, setSaved] = useState<string | null>(null);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const days = (name: string) => {
      const v = String(data.get(name) ?? '').trim();
      return v === '' ? undefined : Number(v);
    };
    setSaved(null);
    void form.submit(
      ConcernSettingsSchema,
      { firstAnswerDays: days('firstAnswerDays'), actionUpdateDays: days('actionUpdateDays') },
      async (body) => {
        await api.put(url, body);
        setSaved('The clocks are saved. New concerns and updates follow them from now on.');
        onSaved();
      },
    );
  }
  return (
    <section className="section" aria-labelledby="cn-d-clocks">
      <h2 id="cn-d-clocks">Response clocks</h2>
      {settings.data ? (
        <form noValidate onSubmit={onSubmit} aria-labelledby="cn-d-clocks">
          <ErrorSummary form={form} />
          <div className="field-row">
            <TextField
              form={form}
              name="firstAnswerDays"
              label="First answer within (days)"
              type="number"
              inputMode="numeric"
              min={1}
              max={365}
              defaultValue={settings.data.firstAnswerDays}
            />
            <TextField
              form={form}
              name="actionUpdateDays"
              label="Update on an open action every (days)"
              type="number"
              inputMode="numeric"
              min={7}
              max={730}
              defaultValue={settings.data.actionUpdateDays}
            />
          </div>
          <SubmitButton form={form} className="button button-secondary">
            Save the clocks
          </SubmitButton>
          <StatusMessage message={saved} />
        </form>
      ) : settings.error ? (
        <LoadError message={settings.error} retry={settings.reload} />
      ) : (
        <Loading what="Loading the clocks" />
      )}
    </section>
  );
}
