import { type FormEvent, useState } from 'react';
import { MeetingUpdateSchema } from '../../../shared/meetings/schema';
import { api, seg } from '../../app/api';
import { ErrorSummary, noInput, StatusMessage, SubmitButton, TextField, useForm } from '../../app/forms';
import { Confirm, type Issue, withIssues } from './common';
import type { MeetingView } from './types';

/**
 * Leads: move or relocate a meeting, or cancel it. Everyone invited gets the change by e-mail as
 * an iCalendar update (the same UID, a higher SEQUENCE) or cancellation, so calendars follow.
 */
export function ManageMeeting({ meeting, onChanged }: { meeting: MeetingView; onChanged: () => void }) {
  const form = useForm(['startsLocal', 'time', 'durationMinutes', 'place', 'onlineUrl']);
  const cancel = useForm([]);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [date, time] = meeting.startsLocal.split('T');

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const issues: Issue[] = [];
    if (!text('startsLocal')) issues.push({ path: ['startsLocal'], message: 'Enter the date.' });
    if (!text('time')) issues.push({ path: ['time'], message: 'Enter the start time.' });
    const minutes = Number(text('durationMinutes'));
    if (!Number.isInteger(minutes)) {
      issues.push({ path: ['durationMinutes'], message: 'Enter the length in whole minutes.' });
    }
    const raw = {
      startsLocal: `${text('startsLocal')}T${text('time')}`,
      durationMinutes: minutes,
      place: text('place'),
      onlineUrl: text('onlineUrl'),
    };
    setDone(null);
    void form.submit(withIssues(issues, MeetingUpdateSchema), raw, async (body) => {
      await api.patch(`/api/meetings/${seg(meeting.id)}`, body);
      setDone('The meeting was changed. Everyone invited gets the new details by e-mail.');
      onChanged();
    });
  }

  return (
    <section className="section" aria-labelledby="mt-manage-heading">
      <h2 id="mt-manage-heading">Change or cancel</h2>
      <details className="su-details">
        <summary>Change the time or place</summary>
        <form noValidate onSubmit={onSubmit} aria-label="Change the time or place">
          <p className="field-hint">In {meeting.timeZone.replace(/_/g, ' ')} time.</p>
          <ErrorSummary form={form} />
          <div className="field-row">
            <TextField form={form} name="startsLocal" label="Date" type="date" defaultValue={date} />
            <TextField form={form} name="time" label="Start time" type="time" defaultValue={time} />
          </div>
          <TextField
            form={form}
            name="durationMinutes"
            label="Length in minutes"
            inputMode="numeric"
            defaultValue={String(meeting.durationMinutes)}
          />
          <TextField form={form} name="place" label="Place (optional)" defaultValue={meeting.place ?? ''} />
          <TextField
            form={form}
            name="onlineUrl"
            label="Online link (optional)"
            type="url"
            inputMode="url"
            defaultValue={meeting.onlineUrl ?? ''}
          />
          <SubmitButton form={form}>{form.busy ? 'Saving…' : 'Save and tell everyone'}</SubmitButton>
        </form>
      </details>
      <StatusMessage message={done} />
      <ErrorSummary form={cancel} />
      {confirming ? (
        <Confirm
          question="Cancel this meeting? Everyone invited is told, and it leaves their calendars."
          yes="Yes, cancel the meeting"
          busy={cancel.busy}
          onYes={() =>
            cancel.submit(noInput, null, async () => {
              await api.post(`/api/meetings/${seg(meeting.id)}/cancel`);
              setConfirming(false);
              onChanged();
            })
          }
          onNo={() => setConfirming(false)}
        />
      ) : (
        <button type="button" className="button button-danger" onClick={() => setConfirming(true)}>
          Cancel the meeting
        </button>
      )}
    </section>
  );
}
