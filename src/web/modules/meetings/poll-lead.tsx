import { useState } from 'react';
import { useLocation } from 'wouter';
import { api, seg } from '../../app/api';
import { ErrorSummary, kindLabel, noInput, StatusMessage, useForm } from '../../app/forms';
import { Confirm, formatInstant, kindPlural, When } from './common';
import type { PollView } from './types';

/**
 * The lead's part of a poll page: the ranking with each slot's reasons, who has not answered,
 * a reminder, closing, and confirming a slot (which invites everyone who answered).
 */
export function PollLead({ poll, onChanged }: { poll: PollView; onChanged: () => void }) {
  const [, navigate] = useLocation();
  const [message, setMessage] = useState<string | null>(null);
  const actions = useForm([]);
  const busy = actions.busy;
  const [confirming, setConfirming] = useState<string | null>(null);
  const [closing, setClosing] = useState(false);
  const slotById = new Map(poll.slots.map((s) => [s.id, s]));
  const decided = poll.status === 'confirmed' || poll.status === 'cancelled';

  // One error model for every button here: the server's message, in a summary that takes focus.
  const run = (action: () => Promise<void>) => {
    setMessage(null);
    return actions.submit(noInput, null, action);
  };

  const remind = () =>
    run(async () => {
      const answer = await api.post<{ reminded: number }>(`/api/polls/${seg(poll.id)}/remind`);
      setMessage(
        answer.reminded === 1
          ? 'A reminder was sent to 1 person.'
          : `Reminders were sent to ${answer.reminded} people.`,
      );
      onChanged();
    });
  const close = () =>
    run(async () => {
      await api.post(`/api/polls/${seg(poll.id)}/close`);
      setClosing(false);
      setMessage('The poll is closed. Choose a time to confirm.');
      onChanged();
    });
  const confirm = (slotId: string) =>
    run(async () => {
      const meeting = await api.post<{ id: string }>(`/api/polls/${seg(poll.id)}/confirm`, { slotId });
      navigate(`/meetings/${seg(meeting.id)}`);
    });

  return (
    <>
      <section className="section" aria-labelledby="mt-ranking-heading">
        <h2 id="mt-ranking-heading">Ranking</h2>
        <p className="field-hint">
          Times are ranked by who can come, counting students first (the weights set for this poll). A time
          that someone required cannot make, or with too few students, goes to the bottom.
        </p>
        <p>
          {poll.respondents} of {poll.members} {poll.members === 1 ? 'member has' : 'members have'} answered.
        </p>
        <ol className="mt-ranking" data-testid="ranking">
          {poll.ranking.map((r) => {
            const slot = slotById.get(r.slotId);
            if (!slot) return null;
            return (
              <li key={r.slotId} className={`card mt-rank${r.eligible ? '' : ' mt-rank-out'}`}>
                <p className="card-title">
                  <When startsAt={slot.startsAt} minutes={slot.durationMinutes} timeZone={poll.timeZone} />
                </p>
                <p className="small">
                  Score {r.score}
                  {r.eligible ? '' : ' · cannot be chosen as it stands'}
                </p>
                <p className="mt-explanation">{r.explanation}</p>
                {r.problems.length ? (
                  <ul className="mt-problems">
                    {r.problems.map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                ) : null}
                <table className="su-table mt-counts">
                  <caption className="vh">Answers by membership kind</caption>
                  <thead>
                    <tr>
                      <th scope="col">Kind</th>
                      <th scope="col" className="su-num">
                        Yes
                      </th>
                      <th scope="col" className="su-num">
                        If need be
                      </th>
                      <th scope="col" className="su-num">
                        No
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {(Object.keys(r.counts) as (keyof typeof r.counts)[]).map((kind) => (
                      <tr key={kind}>
                        <th scope="row">{kindPlural[kind]}</th>
                        <td className="su-num">{r.counts[kind].yes}</td>
                        <td className="su-num">{r.counts[kind].ifNeedBe}</td>
                        <td className="su-num">{r.counts[kind].no}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {!decided ? (
                  confirming === r.slotId ? (
                    <Confirm
                      question="Confirm this time? Everyone who answered gets an invitation by e-mail."
                      yes="Yes, confirm and invite"
                      busy={busy}
                      onYes={() => confirm(r.slotId)}
                      onNo={() => setConfirming(null)}
                    />
                  ) : (
                    <button
                      type="button"
                      className="button button-secondary"
                      onClick={() => setConfirming(r.slotId)}
                    >
                      Confirm this time<span className="vh">: {formatInstant(slot.startsAt)}</span>
                    </button>
                  )
                ) : null}
              </li>
            );
          })}
        </ol>
      </section>

      {poll.notAnswered ? (
        <section className="section" aria-labelledby="mt-missing-heading">
          <h2 id="mt-missing-heading">Not answered yet</h2>
          {poll.notAnswered.length === 0 ? (
            <p>Everyone has answered.</p>
          ) : (
            <ul className="plain-list">
              {poll.notAnswered.map((p) => (
                <li key={p.userId}>
                  {p.name}{' '}
                  {p.kind ? <span className="muted">({kindLabel(p.kind).toLowerCase()})</span> : null}
                </li>
              ))}
            </ul>
          )}
          {poll.remindedAt ? <p className="small">Last reminder: {formatInstant(poll.remindedAt)}</p> : null}
          {poll.status === 'open' && poll.notAnswered.length > 0 ? (
            <button
              type="button"
              className="button button-secondary"
              onClick={remind}
              aria-disabled={busy || undefined}
            >
              Send a reminder
            </button>
          ) : null}
        </section>
      ) : null}

      {poll.status === 'open' ? (
        <section className="section" aria-labelledby="mt-close-heading">
          <h2 id="mt-close-heading">Close the poll</h2>
          <p>Closing stops new answers. You can still confirm a time afterwards.</p>
          {closing ? (
            <Confirm
              question="Close this poll now?"
              yes="Yes, close it"
              busy={busy}
              onYes={close}
              onNo={() => setClosing(false)}
            />
          ) : (
            <button type="button" className="button button-secondary" onClick={() => setClosing(true)}>
              Close the poll
            </button>
          )}
        </section>
      ) : null}
      <ErrorSummary form={actions} />
      <StatusMessage message={message} />
    </>
  );
}
