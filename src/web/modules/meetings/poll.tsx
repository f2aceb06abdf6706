import { type FormEvent, lazy, Suspense, useState } from 'react';
import { Link } from 'wouter';
import { api, seg } from '../../app/api';
import { type Checkable, ErrorSummary, StatusMessage, SubmitButton, useForm } from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { useSession } from '../../app/session';
import { answerLabels, formatInstant, When, Where } from './common';
import type { PollAnswer, PollView } from './types';

/**
 * `/polls/:id`: every member answers yes / if need be / no for every slot on one screen (stacked
 * cards with three large choices each, one Save button). Leads also get the ranking and its
 * reasons, who has not answered, reminders, closing and confirming: that part is its own chunk.
 */

const PollLead = lazy(() => import('./poll-lead').then((m) => ({ default: m.PollLead })));

const ANSWERS: PollAnswer[] = ['yes', 'if_need_be', 'no'];
const statusText: Record<string, string> = {
  open: 'Open for answers',
  closed: 'Closed: the co-chairs are choosing a time',
  confirmed: 'Confirmed',
  cancelled: 'Cancelled',
};

export function PollPage({ id }: { id: string }) {
  const { session } = useSession();
  const poll = useLoad<PollView>(`/api/polls/${seg(id)}`);
  if (!poll.data) {
    return (
      <Page title={poll.error ? 'Poll not available' : 'Availability poll'}>
        {poll.error ? (
          <LoadError message={poll.error} retry={poll.reload} />
        ) : (
          <Loading what="Loading the poll" />
        )}
      </Page>
    );
  }
  const p = poll.data;
  const slug = session.memberships.find((m) => m.networkId === p.networkId)?.networkSlug;
  return (
    <Page title={p.title} lead={p.description || undefined}>
      <p className="muted">
        {slug ? (
          <Link href={`/networks/${seg(slug)}/meetings`}>{p.networkName} meetings</Link>
        ) : (
          p.networkName
        )}
        {' · '}
        <span data-testid="poll-status">{statusText[p.status] ?? p.status}</span>
        {p.deadlineAt && p.status === 'open' ? <> · Answer by {formatInstant(p.deadlineAt)}</> : null}
      </p>
      {p.forSeries ? (
        <p className="callout">This poll chooses the time of a new monthly series of meetings.</p>
      ) : null}
      {p.status === 'confirmed' && p.meetingId ? (
        <p className="notice">
          A time was chosen. <Link href={`/meetings/${seg(p.meetingId)}`}>Open the meeting</Link>
        </p>
      ) : null}
      {p.canAnswer ? <AnswerForm poll={p} onSaved={poll.reload} /> : <SlotList poll={p} />}
      {p.canManage ? (
        <Suspense fallback={<Loading what="Loading the ranking" />}>
          <PollLead poll={p} onChanged={poll.reload} />
        </Suspense>
      ) : null}
    </Page>
  );
}

const answerMap = (poll: PollView) => new Map(poll.myAnswers.map((a) => [a.slotId, a.answer]));

function SlotList({ poll }: { poll: PollView }) {
  const mine = answerMap(poll);
  return (
    <section className="section" aria-labelledby="mt-slots-heading">
      <h2 id="mt-slots-heading">Times proposed</h2>
      <ul className="card-list mt-slot-list">
        {poll.slots.map((s) => (
          <li key={s.id} className="card">
            <When startsAt={s.startsAt} minutes={s.durationMinutes} timeZone={poll.timeZone} />
            <Where place={s.place} onlineUrl={s.onlineUrl} />
            {mine.get(s.id) ? <p className="small">Your answer: {answerLabels[mine.get(s.id)!]}</p> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

type Answers = { answers: { slotId: string; answer: PollAnswer }[] };

function AnswerForm({ poll, onSaved }: { poll: PollView; onSaved: () => void }) {
  const fieldNames = poll.slots.map((s) => `slot-${s.id}`);
  const form = useForm(fieldNames);
  const [saved, setSaved] = useState<string | null>(null);
  const mine = answerMap(poll);
  const answered = mine.size > 0;

  // Every slot needs an answer: a missing one is named by its time, and its first choice focused.
  const schema: Checkable<Answers> = {
    safeParse(raw) {
      const values = raw as Record<string, string>;
      const issues = poll.slots
        .filter((s) => !ANSWERS.includes(values[`slot-${s.id}`] as PollAnswer))
        .map((s) => ({
          path: [`slot-${s.id}`],
          message: `Choose yes, if need be or no for ${formatInstant(s.startsAt)}.`,
        }));
      if (issues.length) return { success: false, error: { issues } };
      return {
        success: true,
        data: {
          answers: poll.slots.map((s) => ({ slotId: s.id, answer: values[`slot-${s.id}`] as PollAnswer })),
        },
      };
    },
  };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = Object.fromEntries(
      [...new FormData(event.currentTarget)].filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    setSaved(null);
    void form.submit(schema, values, async (body) => {
      await api.put(`/api/polls/${seg(poll.id)}/answers`, body);
      setSaved('Your answers are saved. You can change them until the poll closes.');
      onSaved();
    });
  }

  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby="mt-answer-heading" className="mt-answer-form">
      <h2 id="mt-answer-heading" className="form-heading">
        {answered ? 'Your answers' : 'When can you come?'}
      </h2>
      <p className="field-hint">
        Answer for every time. “If need be” means you could come, but it is not a good time for you.
      </p>
      <ErrorSummary form={form} />
      <ol className="mt-slots">
        {poll.slots.map((s) => {
          const name = `slot-${s.id}`;
          const id = form.fieldId(name);
          const error = form.errorFor(name);
          const legendId = `${id}-legend`;
          return (
            <li key={s.id}>
              <fieldset
                className={`mt-slot${error ? ' field-has-error' : ''}`}
                aria-describedby={error ? `${id}-error` : undefined}
              >
                <legend id={legendId} className="mt-slot-legend">
                  <When startsAt={s.startsAt} minutes={s.durationMinutes} timeZone={poll.timeZone} />
                </legend>
                <p className="mt-slot-where">
                  <Where place={s.place} onlineUrl={s.onlineUrl} />
                </p>
                {error ? (
                  <p id={`${id}-error`} className="field-error">
                    <span className="vh">Error: </span>
                    {error}
                  </p>
                ) : null}
                <div className="mt-tri">
                  {ANSWERS.map((answer, index) => {
                    const optionId = index === 0 ? id : `${id}-${answer}`;
                    return (
                      <div key={answer} className={`mt-tri-choice mt-tri-${answer}`}>
                        <input
                          id={optionId}
                          type="radio"
                          name={name}
                          value={answer}
                          defaultChecked={mine.get(s.id) === answer}
                          aria-invalid={error ? true : undefined}
                        />
                        <label htmlFor={optionId}>{answerLabels[answer]}</label>
                      </div>
                    );
                  })}
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <SubmitButton form={form} className="button button-block">
        {form.busy ? 'Saving…' : 'Save my answers'}
      </SubmitButton>
      <StatusMessage message={saved} />
    </form>
  );
}
