import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { BlockCreateSchema, SeriesCreateSchema, SeriesGenerateSchema } from '../../../shared/meetings/schema';
import { api, seg } from '../../app/api';
import {
  ErrorSummary,
  noInput,
  SelectField,
  StatusMessage,
  SubmitButton,
  TextField,
  useForm,
} from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import {
  formatDay,
  type Issue,
  MeetingsSubnav,
  type NetworkDetail,
  When,
  withIssues,
  zoneOptions,
} from './common';
import type { Block, MeetingSummary, Series } from './types';

/**
 * `/networks/:slug/meetings/series` (leads): the monthly series ("second Wednesday, 17:30"), the
 * exam and placement blocks per year group that the series skips, and generating the next months
 * of meetings (saying which dates were skipped and why).
 */

type Generated = { created: MeetingSummary[]; skipped: { date: string; reason: string }[] };

const nthOptions = [
  { value: '1', label: 'First' },
  { value: '2', label: 'Second' },
  { value: '3', label: 'Third' },
  { value: '4', label: 'Fourth' },
  { value: '-1', label: 'Last' },
];
const weekdayOptions = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'].map(
  (label, i) => ({ value: String(i + 1), label }),
);
const blockKindOptions = [
  { value: 'exam', label: 'Exams' },
  { value: 'placement', label: 'Placement' },
  { value: 'holiday', label: 'Holiday' },
  { value: 'other', label: 'Other' },
];
const blockKindLabel = Object.fromEntries(blockKindOptions.map((o) => [o.value, o.label]));
const YEARS = [1, 2, 3, 4, 5, 6];

export function SeriesPage({ slug }: { slug: string }) {
  const network = useLoad<NetworkDetail>(`/api/networks/${seg(slug)}`);
  const id = network.data?.id;
  const series = useLoad<Series[]>(id ? `/api/networks/${seg(id)}/series` : null);
  const blocks = useLoad<Block[]>(id ? `/api/networks/${seg(id)}/blocks` : null);

  if (!network.data) {
    return (
      <Page title="Series and blocks">
        {network.error ? (
          <LoadError message={network.error} retry={network.reload} />
        ) : (
          <Loading what="Loading the network" />
        )}
      </Page>
    );
  }
  const net = network.data;
  return (
    <Page
      title="Series and blocks"
      lead="Regular monthly meetings, and the exam and placement weeks when they do not happen."
    >
      <MeetingsSubnav slug={slug} isLead={net.viewer.isLead} current={`/networks/${slug}/meetings/series`} />
      <section className="section" aria-labelledby="mt-series-heading">
        <h2 id="mt-series-heading">Monthly series</h2>
        {series.error ? <LoadError message={series.error} retry={series.reload} /> : null}
        {series.loading && !series.data ? <Loading what="Loading series" /> : null}
        {series.data?.length === 0 ? <p>No monthly series yet.</p> : null}
        <ul className="card-list mt-series-list">
          {(series.data ?? []).map((s) => (
            <li key={s.id} className="card">
              <p className="card-title">{s.title}</p>
              <p>{s.ruleText}</p>
              <p className="small">
                From {formatDay(s.startsOn)}
                {s.endsOn ? ` to ${formatDay(s.endsOn)}` : ''}
                {s.respectsBlocksFor.length
                  ? ` · skips the blocks of year ${s.respectsBlocksFor.join(', ')}`
                  : ' · skips blocks for everyone only'}
              </p>
              {net.viewer.isLead ? <Generate series={s} /> : null}
            </li>
          ))}
        </ul>
      </section>
      {net.viewer.isLead ? <NewSeries networkId={net.id} onCreated={series.reload} /> : null}

      <section className="section" aria-labelledby="mt-blocks-heading">
        <h2 id="mt-blocks-heading">Exam and placement blocks</h2>
        {blocks.error ? <LoadError message={blocks.error} retry={blocks.reload} /> : null}
        {blocks.loading && !blocks.data ? <Loading what="Loading blocks" /> : null}
        {blocks.data?.length === 0 ? <p>No blocks yet.</p> : null}
        <ul className="plain-list mt-blocks">
          {(blocks.data ?? []).map((b) => (
            <BlockRow key={b.id} block={b} canDelete={net.viewer.isLead} onDeleted={blocks.reload} />
          ))}
        </ul>
        {net.viewer.isLead ? <NewBlock networkId={net.id} onCreated={blocks.reload} /> : null}
      </section>
    </Page>
  );
}

function NewSeries({ networkId, onCreated }: { networkId: string; onCreated: () => void }) {
  const form = useForm([
    'title',
    'rule.nth',
    'rule.weekday',
    'rule.time',
    'timeZone',
    'durationMinutes',
    'place',
    'onlineUrl',
    'startsOn',
    'endsOn',
    'respectsBlocksFor',
  ]);
  const [done, setDone] = useState<string | null>(null);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const data = new FormData(target);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const issues: Issue[] = [];
    const duration = Number(text('durationMinutes'));
    if (!text('durationMinutes') || !Number.isInteger(duration)) {
      issues.push({ path: ['durationMinutes'], message: 'Enter the length in whole minutes, such as 90.' });
    }
    const raw = {
      title: text('title'),
      rule: {
        freq: 'monthly',
        nth: Number(text('rule.nth')),
        weekday: Number(text('rule.weekday')),
        time: text('rule.time'),
      },
      timeZone: text('timeZone'),
      durationMinutes: duration,
      place: text('place'),
      onlineUrl: text('onlineUrl'),
      startsOn: text('startsOn'),
      endsOn: text('endsOn') || null,
      respectsBlocksFor: data.getAll('respectsBlocksFor').map(Number),
    };
    setDone(null);
    void form.submit(withIssues(issues, SeriesCreateSchema), raw, async (body) => {
      const created = await api.post<Series>(`/api/networks/${seg(networkId)}/series`, body);
      target.reset();
      setDone(`The series “${created.title}” was created: ${created.ruleText}. Generate its meetings above.`);
      onCreated();
    });
  }
  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby="mt-new-series-heading">
      <h3 id="mt-new-series-heading">New monthly series</h3>
      <ErrorSummary form={form} />
      <TextField form={form} name="title" label="Title" defaultValue="Network meeting" />
      <div className="field-row">
        <SelectField form={form} name="rule.nth" label="Which week" options={nthOptions} defaultValue="2" />
        <SelectField form={form} name="rule.weekday" label="Day" options={weekdayOptions} defaultValue="3" />
      </div>
      <div className="field-row">
        <TextField form={form} name="rule.time" label="Start time" type="time" defaultValue="17:30" />
        <TextField
          form={form}
          name="durationMinutes"
          label="Length in minutes"
          inputMode="numeric"
          defaultValue="90"
        />
      </div>
      <SelectField
        form={form}
        name="timeZone"
        label="Time zone"
        options={zoneOptions()}
        defaultValue="Europe/London"
      />
      <TextField form={form} name="place" label="Place (optional)" />
      <TextField form={form} name="onlineUrl" label="Online link (optional)" type="url" inputMode="url" />
      <div className="field-row">
        <TextField form={form} name="startsOn" label="First month from" type="date" />
        <TextField form={form} name="endsOn" label="Until (optional)" type="date" />
      </div>
      <fieldset className="field su-choices" aria-describedby={`${form.fieldId('respectsBlocksFor')}-hint`}>
        <legend>Skip the blocks of these year groups</legend>
        <p id={`${form.fieldId('respectsBlocksFor')}-hint`} className="field-hint">
          A meeting that falls in an exam or placement block of a ticked year is not held. Blocks for everyone
          always count.
        </p>
        <div className="mt-years">
          {YEARS.map((y, i) => {
            const id =
              i === 0 ? form.fieldId('respectsBlocksFor') : `${form.fieldId('respectsBlocksFor')}-${y}`;
            return (
              <div key={y} className="field-checkbox">
                <input id={id} type="checkbox" name="respectsBlocksFor" value={y} />
                <label htmlFor={id}>Year {y}</label>
              </div>
            );
          })}
        </div>
      </fieldset>
      <SubmitButton form={form}>{form.busy ? 'Creating…' : 'Create the series'}</SubmitButton>
      <StatusMessage message={done} />
    </form>
  );
}

function Generate({ series }: { series: Series }) {
  const form = useForm(['months']);
  const [result, setResult] = useState<Generated | null>(null);
  const headingId = `mt-generate-${series.id}`;
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('months') ?? '').trim();
    const issues: Issue[] =
      value && Number.isInteger(Number(value))
        ? []
        : [{ path: ['months'], message: 'Enter a number of months.' }];
    setResult(null);
    void form.submit(withIssues(issues, SeriesGenerateSchema), { months: Number(value) }, async (body) => {
      setResult(await api.post<Generated>(`/api/series/${seg(series.id)}/generate`, body));
    });
  }
  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby={headingId} className="mt-generate">
      <h3 id={headingId} className="vh">
        Generate meetings of {series.title}
      </h3>
      <ErrorSummary form={form} />
      <TextField
        form={form}
        name="months"
        label="Months ahead"
        inputMode="numeric"
        defaultValue="6"
        className="mt-short"
      />
      <SubmitButton form={form} className="button button-secondary">
        {form.busy ? 'Generating…' : 'Generate the next months'}
      </SubmitButton>
      <div role="status">
        {result ? (
          <div className="mt-generated">
            <p>
              {result.created.length === 0
                ? 'No new meetings: they exist already, or every date was skipped.'
                : result.created.length === 1
                  ? '1 meeting was planned:'
                  : `${result.created.length} meetings were planned:`}
            </p>
            {result.created.length ? (
              <ul className="plain-list">
                {result.created.map((m) => (
                  <li key={m.id}>
                    <Link href={`/meetings/${seg(m.id)}`}>
                      <When startsAt={m.startsAt} minutes={m.durationMinutes} timeZone={m.timeZone} />
                    </Link>
                  </li>
                ))}
              </ul>
            ) : null}
            {result.skipped.length ? (
              <>
                <p>Skipped:</p>
                <ul className="plain-list" data-testid="skipped">
                  {result.skipped.map((s) => (
                    <li key={s.date}>
                      {formatDay(s.date)}: {s.reason}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        ) : null}
      </div>
    </form>
  );
}

function NewBlock({ networkId, onCreated }: { networkId: string; onCreated: () => void }) {
  const form = useForm(['kind', 'label', 'yearOfStudy', 'startsOn', 'endsOn']);
  const [done, setDone] = useState<string | null>(null);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const data = new FormData(target);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const raw = {
      kind: text('kind'),
      label: text('label'),
      yearOfStudy: text('yearOfStudy') ? Number(text('yearOfStudy')) : null,
      startsOn: text('startsOn'),
      endsOn: text('endsOn'),
    };
    setDone(null);
    void form.submit(BlockCreateSchema, raw, async (body) => {
      const block = await api.post<Block>(`/api/networks/${seg(networkId)}/blocks`, body);
      target.reset();
      setDone(`${block.label} was added.`);
      onCreated();
    });
  }
  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby="mt-new-block-heading">
      <h3 id="mt-new-block-heading">Add a block</h3>
      <ErrorSummary form={form} />
      <SelectField form={form} name="kind" label="Kind" options={blockKindOptions} />
      <TextField form={form} name="label" label="Name" hint="For example: “Year 3 written exams”." />
      <SelectField
        form={form}
        name="yearOfStudy"
        label="Year group"
        options={[
          { value: '', label: 'Everyone' },
          ...YEARS.map((y) => ({ value: String(y), label: `Year ${y}` })),
        ]}
      />
      <div className="field-row">
        <TextField form={form} name="startsOn" label="From" type="date" />
        <TextField form={form} name="endsOn" label="To" type="date" />
      </div>
      <SubmitButton form={form} className="button button-secondary">
        {form.busy ? 'Adding…' : 'Add the block'}
      </SubmitButton>
      <StatusMessage message={done} />
    </form>
  );
}

function BlockRow({
  block,
  canDelete,
  onDeleted,
}: {
  block: Block;
  canDelete: boolean;
  onDeleted: () => void;
}) {
  const form = useForm([]);
  return (
    <li className="mt-block">
      <span>
        <strong>{block.label}</strong> ({blockKindLabel[block.kind] ?? block.kind},{' '}
        {block.yearOfStudy ? `year ${block.yearOfStudy}` : 'everyone'}): {formatDay(block.startsOn)} to{' '}
        {formatDay(block.endsOn)}
      </span>
      {canDelete ? (
        <>
          <ErrorSummary form={form} />
          <button
            type="button"
            className="button button-danger button-small"
            aria-disabled={form.busy || undefined}
            onClick={() =>
              form.submit(noInput, null, async () => {
                await api.delete(`/api/blocks/${seg(block.id)}`);
                onDeleted();
              })
            }
          >
            Remove<span className="vh"> {block.label}</span>
          </button>
        </>
      ) : null}
    </li>
  );
}
