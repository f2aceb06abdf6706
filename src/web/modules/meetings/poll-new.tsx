import { type FormEvent, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { DEFAULT_WEIGHTS, PollCreateSchema } from '../../../shared/meetings/schema';
import { api, seg } from '../../app/api';
import {
  ErrorSummary,
  Field,
  type FormState,
  SelectField,
  SubmitButton,
  TextAreaField,
  TextField,
  useForm,
} from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import type { NetworkDetail, NetworkMember } from '../identity/network';
import { describeMember } from '../identity/network';
import { type Issue, MeetingsSubnav, withIssues, zoneOptions } from './common';

/**
 * `/networks/:slug/polls/new` (leads): propose times for a meeting. Each time is a local date and
 * time in the poll's zone (the server converts to UTC and refuses a time that does not exist
 * there, lies in the past or overlaps another); its errors are shown on that time's row.
 */

type Row = { key: number };

const slotFields = (i: number) =>
  ['startsLocal', 'time', 'durationMinutes', 'place', 'onlineUrl'].map((f) => `slots.${i}.${f}`);
const fieldsFor = (count: number) => [
  'title',
  'description',
  'timeZone',
  'deadline',
  'weights.student',
  'weights.staff',
  'weights.alumnus',
  'minStudents',
  'requiredUserIds',
  'forSeries',
  'slots',
  ...Array.from({ length: count }, (_, i) => [`slots.${i}`, ...slotFields(i)]).flat(),
];

export function PollNewPage({ slug }: { slug: string }) {
  const network = useLoad<NetworkDetail>(`/api/networks/${seg(slug)}`);
  const members = useLoad<NetworkMember[]>(
    network.data ? `/api/networks/${seg(network.data.id)}/members` : null,
  );
  const nextKey = useRef(2);
  const [rows, setRows] = useState<Row[]>([{ key: 0 }, { key: 1 }]);
  const form = useForm(fieldsFor(rows.length));
  const [, navigate] = useLocation();

  if (!network.data) {
    return (
      <Page title="New availability poll">
        {network.error ? (
          <LoadError message={network.error} retry={network.reload} />
        ) : (
          <Loading what="Loading the network" />
        )}
      </Page>
    );
  }
  const net = network.data;
  if (!net.viewer.isLead) {
    return (
      <Page title="New availability poll">
        <MeetingsSubnav slug={slug} isLead={false} current="" />
        <p>Only the network’s leads can propose meeting times.</p>
      </Page>
    );
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => {
      const v = data.get(name);
      return typeof v === 'string' ? v.trim() : '';
    };
    const issues: Issue[] = [];
    const number = (name: string, message: string) => {
      const value = text(name);
      if (value === '' || !Number.isFinite(Number(value))) issues.push({ path: name.split('.'), message });
      return Number(value);
    };
    const body = {
      title: text('title'),
      description: text('description'),
      timeZone: text('timeZone'),
      deadline: text('deadline') || null,
      weights: {
        student: number('weights.student', 'Give the students’ weight as a number, such as 3.'),
        staff: number('weights.staff', 'Give the staff weight as a number, such as 1.'),
        alumnus: number('weights.alumnus', 'Give the alumni weight as a number, such as 1.'),
      },
      minStudents: number('minStudents', 'Give the fewest students as a number (0 for no minimum).'),
      requiredUserIds: data.getAll('requiredUserIds').filter((v): v is string => typeof v === 'string'),
      forSeries: data.get('forSeries') === 'on',
      slots: rows.map((_, i) => {
        const date = text(`slots.${i}.startsLocal`);
        const time = text(`slots.${i}.time`);
        if (!date)
          issues.push({ path: ['slots', i, 'startsLocal'], message: `Enter the date of time ${i + 1}.` });
        if (!time)
          issues.push({ path: ['slots', i, 'time'], message: `Enter the start time of time ${i + 1}.` });
        return {
          startsLocal: `${date}T${time}`,
          durationMinutes: number(
            `slots.${i}.durationMinutes`,
            `Enter the length of time ${i + 1} in minutes.`,
          ),
          place: text(`slots.${i}.place`),
          onlineUrl: text(`slots.${i}.onlineUrl`),
        };
      }),
    };
    void form.submit(withIssues(issues, PollCreateSchema), body, async (checked) => {
      const created = await api.post<{ id: string }>(`/api/networks/${seg(net.id)}/polls`, checked);
      navigate(`/polls/${seg(created.id)}`);
    });
  }

  const addRow = () => setRows((r) => [...r, { key: nextKey.current++ }]);
  const removeRow = (key: number) => setRows((r) => r.filter((row) => row.key !== key));
  const leads = (members.data ?? []).filter((m) => m.role === 'lead');
  const others = (members.data ?? []).filter((m) => m.role !== 'lead');

  return (
    <Page
      title="New availability poll"
      lead="Propose a few times. Members answer from their phones; the ranking puts students’ availability first."
    >
      <MeetingsSubnav slug={slug} isLead current={`/networks/${slug}/polls/new`} />
      <form noValidate onSubmit={onSubmit} aria-labelledby="mt-poll-form-heading">
        <h2 id="mt-poll-form-heading" className="form-heading">
          The poll
        </h2>
        <ErrorSummary form={form} />
        <TextField form={form} name="title" label="Title" hint="For example: “March network meeting”." />
        <TextAreaField form={form} name="description" label="Description (optional)" rows={3} />
        <SelectField
          form={form}
          name="timeZone"
          label="Time zone"
          hint="The times below are in this zone. Members see them in their own zone too."
          options={zoneOptions()}
          defaultValue="Europe/London"
        />

        <fieldset className="field mt-fieldset" aria-describedby={form.fieldId('slots')}>
          <legend>Times to choose from</legend>
          <p id={form.fieldId('slots')} className="field-hint">
            Add at least one time. Give a place, an online link, or both.
          </p>
          {form.errorFor('slots') ? (
            <p className="field-error">
              <span className="vh">Error: </span>
              {form.errorFor('slots')}
            </p>
          ) : null}
          <ol className="mt-slot-rows">
            {rows.map((row, i) => (
              <SlotRow
                key={row.key}
                form={form}
                index={i}
                canRemove={rows.length > 1}
                onRemove={() => removeRow(row.key)}
              />
            ))}
          </ol>
          <button type="button" className="button button-secondary" onClick={addRow}>
            Add another time
          </button>
        </fieldset>

        <TextField
          form={form}
          name="deadline"
          type="datetime-local"
          label="Answer by (optional)"
          hint="In the poll’s time zone. The poll closes itself then; you can also close it by hand."
        />

        <fieldset className="field mt-fieldset">
          <legend>How much each answer counts</legend>
          <p className="field-hint">
            A “yes” from a student counts 3 times as much as one from staff, unless you change it. This is how
            the network keeps meetings at times students can make. “If need be” counts half.
          </p>
          <div className="mt-weights">
            <TextField
              form={form}
              name="weights.student"
              label="Students"
              inputMode="numeric"
              defaultValue={String(DEFAULT_WEIGHTS.student)}
            />
            <TextField
              form={form}
              name="weights.staff"
              label="Staff"
              inputMode="numeric"
              defaultValue={String(DEFAULT_WEIGHTS.staff)}
            />
            <TextField
              form={form}
              name="weights.alumnus"
              label="Alumni and fellows"
              inputMode="numeric"
              defaultValue={String(DEFAULT_WEIGHTS.alumnus)}
            />
          </div>
        </fieldset>

        <TextField
          form={form}
          name="minStudents"
          label="Fewest students who must be able to come"
          hint="A time with fewer students saying yes (or if need be) is ranked last. 0 for no minimum."
          inputMode="numeric"
          defaultValue="0"
        />

        <fieldset className="field mt-fieldset" aria-describedby={`${form.fieldId('requiredUserIds')}-hint`}>
          <legend>People who must be able to come</legend>
          <p id={`${form.fieldId('requiredUserIds')}-hint`} className="field-hint">
            For example the student co-chair. A time any of them cannot make is never ranked first.
          </p>
          {form.errorFor('requiredUserIds') ? (
            <p className="field-error">
              <span className="vh">Error: </span>
              {form.errorFor('requiredUserIds')}
            </p>
          ) : null}
          {members.loading ? <Loading what="Loading members" /> : null}
          {members.error ? <LoadError message={members.error} retry={members.reload} /> : null}
          {leads.map((m, index) => (
            <PersonCheckbox key={m.userId} form={form} member={m} first={index === 0} />
          ))}
          {others.length ? (
            <details className="su-details">
              <summary>Other members ({others.length})</summary>
              {others.map((m, index) => (
                <PersonCheckbox key={m.userId} form={form} member={m} first={!leads.length && index === 0} />
              ))}
            </details>
          ) : null}
        </fieldset>

        <Field
          form={form}
          name="forSeries"
          className="field-checkbox"
          label="This poll is for a new monthly series"
          hint="When the term changes: the chosen time becomes the new regular meeting time."
        >
          {(props) => <input {...props} type="checkbox" />}
        </Field>

        <SubmitButton form={form}>{form.busy ? 'Creating…' : 'Create the poll'}</SubmitButton>
      </form>
    </Page>
  );
}

function PersonCheckbox({ form, member, first }: { form: FormState; member: NetworkMember; first: boolean }) {
  const id = first ? form.fieldId('requiredUserIds') : `${form.fieldId('requiredUserIds')}-${member.userId}`;
  return (
    <div className="field-checkbox su-choice">
      <input id={id} type="checkbox" name="requiredUserIds" value={member.userId} />
      <label htmlFor={id}>
        {member.name} <span className="muted">({describeMember(member)})</span>
      </label>
    </div>
  );
}

function SlotRow({
  form,
  index,
  canRemove,
  onRemove,
}: {
  form: FormState;
  index: number;
  canRemove: boolean;
  onRemove: () => void;
}) {
  const n = index + 1;
  const rowPath = `slots.${index}`;
  // Problems with the time as a whole (past, overlapping, not a real local time) sit on the row.
  const rowProblems = (form.errors?.problems ?? []).filter(
    (p) => (p.path === rowPath || p.path.startsWith(`${rowPath}.`)) && !form.known.has(p.path),
  );
  const rowError = [form.errorFor(rowPath), ...rowProblems.map((p) => p.message)].filter(Boolean);
  return (
    <li className={`card mt-slot-row${rowError.length ? ' field-has-error' : ''}`}>
      <fieldset
        className="mt-fieldset"
        aria-describedby={rowError.length ? `${form.fieldId(rowPath)}` : undefined}
      >
        <legend>Time {n}</legend>
        {rowError.length ? (
          <p id={form.fieldId(rowPath)} className="field-error" tabIndex={-1}>
            <span className="vh">Error: </span>
            {rowError.join(' ')}
          </p>
        ) : null}
        <div className="field-row">
          <TextField form={form} name={`slots.${index}.startsLocal`} label="Date" type="date" />
          <TextField form={form} name={`slots.${index}.time`} label="Start time" type="time" />
        </div>
        <TextField
          form={form}
          name={`slots.${index}.durationMinutes`}
          label="Length in minutes"
          inputMode="numeric"
          defaultValue="90"
        />
        <TextField form={form} name={`slots.${index}.place`} label="Place (optional)" />
        <TextField
          form={form}
          name={`slots.${index}.onlineUrl`}
          label="Online link (optional)"
          type="url"
          inputMode="url"
          hint="https://…"
        />
        {canRemove ? (
          <button type="button" className="button button-danger button-small" onClick={onRemove}>
            Remove time {n}
          </button>
        ) : null}
      </fieldset>
    </li>
  );
}
