import type { KindWeights } from '../../../db/tables/meetings';
import type { PollAnswer, SlotRanking } from '../../../shared/meetings/schema';

/**
 * Ranking a poll's slots. Unlike raw-count polls, students' availability counts more (weights per
 * membership kind), required people (e.g. the student co-chair) must be able to come, and a
 * minimum number of students must be able to come. Pure: everything it needs is passed in.
 */

export type Kind = 'student' | 'staff' | 'alumnus';

export type RankingInput = {
  slots: { id: string; startsAt: Date }[];
  answers: { slotId: string; userId: string; answer: PollAnswer }[];
  /** The network's members who may answer, by user id (answers of anyone else are ignored). */
  people: Map<string, { kind: Kind }>;
  weights: KindWeights;
  /** `label` as shown in explanations, e.g. "Aisha Khan (student co-chair)". */
  required: { userId: string; label: string }[];
  minStudents: number;
};

/** Answers per membership kind for one slot. */
export type SlotTally = Record<Kind, { yes: number; ifNeedBe: number; no: number }>;

/**
 * The same, with the answers already counted per slot and kind (by the database, for big polls);
 * only the required people's own answers are needed one by one.
 */
export type TallyInput = Omit<RankingInput, 'answers' | 'people'> & {
  tallies: Map<string, SlotTally>;
  /** slot id → required person's id → their answer. */
  requiredAnswers: Map<string, Map<string, PollAnswer>>;
};

export const emptyTally = (): SlotTally => ({
  student: { yes: 0, ifNeedBe: 0, no: 0 },
  staff: { yes: 0, ifNeedBe: 0, no: 0 },
  alumnus: { yes: 0, ifNeedBe: 0, no: 0 },
});

/** Adds one answer of a person of `kind` to a tally. */
export function countAnswer(tally: SlotTally, kind: Kind, answer: PollAnswer, n = 1) {
  const c = tally[kind];
  if (answer === 'yes') c.yes += n;
  else if (answer === 'if_need_be') c.ifNeedBe += n;
  else c.no += n;
}

const ANSWER_VALUE: Record<PollAnswer, number> = { yes: 1, if_need_be: 0.5, no: 0 };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function describeKind(kind: Kind, c: { yes: number; ifNeedBe: number }): string | null {
  const n = c.yes + c.ifNeedBe;
  if (n === 0) return null;
  const noun =
    kind === 'student'
      ? ['student', 'students']
      : kind === 'staff'
        ? ['staff', 'staff']
        : ['alumnus', 'alumni'];
  const detail = c.ifNeedBe > 0 ? ` (${c.yes} yes, ${c.ifNeedBe} if need be)` : '';
  return `${plural(n, noun[0]!, noun[1]!)}${kind === 'student' ? ' can come' : ''}${detail}`;
}

/** Ranks every slot, best first; each with its score, counts and the reasons in words. */
export function rankSlots(input: RankingInput): SlotRanking[] {
  const tallies = new Map(input.slots.map((slot) => [slot.id, emptyTally()]));
  const requiredIds = new Set(input.required.map((r) => r.userId));
  const requiredAnswers = new Map<string, Map<string, PollAnswer>>();
  for (const a of input.answers) {
    const person = input.people.get(a.userId);
    const tally = tallies.get(a.slotId);
    if (!person || !tally) continue;
    countAnswer(tally, person.kind, a.answer);
    if (requiredIds.has(a.userId)) {
      if (!requiredAnswers.has(a.slotId)) requiredAnswers.set(a.slotId, new Map());
      requiredAnswers.get(a.slotId)!.set(a.userId, a.answer);
    }
  }
  return rankTallies({ ...input, tallies, requiredAnswers });
}

/** The ranking over counted answers (see rankSlots). */
export function rankTallies(input: TallyInput): SlotRanking[] {
  const scored = input.slots.map((slot) => {
    const counts = input.tallies.get(slot.id) ?? emptyTally();
    const answers = input.requiredAnswers.get(slot.id) ?? new Map<string, PollAnswer>();
    let score = 0;
    for (const kind of ['student', 'staff', 'alumnus'] as const) {
      score +=
        input.weights[kind] *
        (counts[kind].yes * ANSWER_VALUE.yes + counts[kind].ifNeedBe * ANSWER_VALUE.if_need_be);
    }

    const problems: string[] = [];
    const requiredNotes: string[] = [];
    for (const person of input.required) {
      const answer = answers.get(person.userId);
      if (answer === 'yes') requiredNotes.push(`${person.label} can come`);
      else if (answer === 'if_need_be') requiredNotes.push(`${person.label} can come if need be`);
      else {
        const why = answer === 'no' ? `${person.label} cannot come` : `${person.label} has not answered`;
        problems.push(why);
        requiredNotes.push(why);
      }
    }
    const students = counts.student.yes + counts.student.ifNeedBe;
    if (students < input.minStudents) {
      problems.push(
        `only ${plural(students, 'student', 'students')} can come; at least ${input.minStudents} needed`,
      );
    }

    const parts = (['student', 'staff', 'alumnus'] as const)
      .map((kind) => describeKind(kind, counts[kind]))
      .filter((p): p is string => p !== null);
    const who = parts.length > 0 ? parts.join(', ') : 'Nobody can come yet';
    const explanation = requiredNotes.length > 0 ? `${who}; ${requiredNotes.join('; ')}` : who;
    return { slot, score, counts, problems, explanation, eligible: problems.length === 0 };
  });

  scored.sort(
    (a, b) =>
      Number(b.eligible) - Number(a.eligible) ||
      b.score - a.score ||
      b.counts.student.yes - a.counts.student.yes ||
      a.slot.startsAt.getTime() - b.slot.startsAt.getTime(),
  );
  return scored.map((s, i) => ({
    slotId: s.slot.id,
    rank: i + 1,
    score: Math.round(s.score * 100) / 100,
    eligible: s.eligible,
    counts: s.counts,
    explanation: s.explanation,
    problems: s.problems,
  }));
}

/** "Aisha Khan (student co-chair)", "Dr Ben Osei (staff)": how a required person is named. */
export function requiredLabel(
  name: string,
  kind: Kind | null,
  leadTitle: 'co_chair' | 'action_lead' | null,
): string {
  const role = leadTitle === 'co_chair' ? 'co-chair' : leadTitle === 'action_lead' ? 'action lead' : null;
  const parts = [kind, role].filter(Boolean).join(' ');
  return parts ? `${name} (${parts})` : name;
}
