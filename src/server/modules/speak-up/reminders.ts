import { and, eq, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import {
  institutionRoles,
  institutions,
  reportConflicts,
  reportNamedHandlers,
  reportRemindersSent,
  reports,
  users,
} from '../../../db/schema';
import { recordAudit } from '../../platform/audit/audit';
import type { Services } from '../../platform/services';
import { notHeld } from './matching';
import { namedHandlerToken } from './report-crypto';

/**
 * Overdue reminders: once per case and deadline (acknowledgement, response), the case handlers
 * of the case's school get an e-mail saying how many cases are newly overdue (of those they may
 * see: never counting a case they are conflicted on or named in), and nothing else:
 * no reference, no content, no names. They sign in to see which. What was sent is recorded in
 * `speak_up_reminders_sent`, in the same transaction as the queued mail.
 */

type Deadline = 'acknowledge' | 'respond';

export async function sendOverdueReminders(
  tx: Tx,
  services: Pick<Services, 'mailer' | 'config' | 'masterKey'>,
  now: Date = new Date(),
): Promise<{ cases: number; mails: number }> {
  const notSent = (deadline: Deadline) =>
    sql`not exists (select 1 from speak_up_reminders_sent s where s.report_id = "speak_up_reports"."id" and s.deadline = ${deadline})`;
  const open = and(isNull(reports.purgedAt), isNull(reports.closedAt), ne(reports.status, 'closed'), notHeld);
  const ack = await tx
    .select({ id: reports.id, institutionId: reports.institutionId })
    .from(reports)
    .where(
      and(open, isNull(reports.acknowledgedAt), lt(reports.acknowledgeDueAt, now), notSent('acknowledge')),
    );
  const respond = await tx
    .select({ id: reports.id, institutionId: reports.institutionId })
    .from(reports)
    .where(and(open, isNull(reports.actionAt), lt(reports.respondDueAt, now), notSent('respond')));

  const due: { reportId: string; institutionId: string; deadline: Deadline }[] = [
    ...ack.map((r) => ({ reportId: r.id, institutionId: r.institutionId, deadline: 'acknowledge' as const })),
    ...respond.map((r) => ({ reportId: r.id, institutionId: r.institutionId, deadline: 'respond' as const })),
  ];
  if (due.length === 0) return { cases: 0, mails: 0 };
  // Record first; only rows this run inserted count (a concurrent run cannot double-send).
  const recorded = await tx
    .insert(reportRemindersSent)
    .values(due.map((d) => ({ reportId: d.reportId, deadline: d.deadline, sentAt: now })))
    .onConflictDoNothing()
    .returning({ reportId: reportRemindersSent.reportId });
  const fresh = new Set(recorded.map((r) => r.reportId));
  const perInstitution = new Map<string, Set<string>>();
  for (const d of due) {
    if (!fresh.has(d.reportId)) continue;
    const set = perInstitution.get(d.institutionId) ?? new Set<string>();
    set.add(d.reportId);
    perInstitution.set(d.institutionId, set);
  }
  let mails = 0;
  for (const [institutionId, caseIds] of perInstitution) {
    const [institution] = await tx
      .select({ name: institutions.name })
      .from(institutions)
      .where(eq(institutions.id, institutionId));
    const handlers = await tx
      .select({ id: users.id, email: users.email })
      .from(institutionRoles)
      .innerJoin(users, eq(users.id, institutionRoles.userId))
      .where(
        and(
          eq(institutionRoles.institutionId, institutionId),
          eq(institutionRoles.role, 'case_handler'),
          isNull(users.disabledAt),
        ),
      );
    const ids = [...caseIds];
    // Each handler is told only of the cases they may see: not those they are marked conflicted
    // on, nor those found to name them (under any name they have had).
    const declared = await tx
      .select({ reportId: reportConflicts.reportId, userId: reportConflicts.userId })
      .from(reportConflicts)
      .where(inArray(reportConflicts.reportId, ids));
    const named = await tx
      .select({ reportId: reportNamedHandlers.reportId, token: reportNamedHandlers.handlerToken })
      .from(reportNamedHandlers)
      .where(inArray(reportNamedHandlers.reportId, ids));
    let recipients = 0;
    for (const handler of handlers) {
      const token = namedHandlerToken(services.masterKey, institutionId, handler.id);
      const hidden = new Set([
        ...declared.filter((d) => d.userId === handler.id).map((d) => d.reportId),
        ...named.filter((n) => n.token === token).map((n) => n.reportId),
      ]);
      const n = ids.filter((id) => !hidden.has(id)).length;
      if (n === 0) continue;
      const text = [
        `${n} ${n === 1 ? 'speak-up case has' : 'speak-up cases have'} become overdue at ${institution?.name ?? 'your school'}.`,
        '',
        `Sign in to see them: ${new URL('/cases', services.config.publicUrl).toString()}`,
        '',
        'For the reporters’ safety this e-mail says nothing about the cases themselves.',
      ].join('\n');
      await services.mailer.queue(tx as unknown as Db, {
        to: handler.email,
        subject: `${n} speak-up ${n === 1 ? 'case is' : 'cases are'} overdue`,
        text,
      });
      mails++;
      recipients++;
    }
    await recordAudit(tx, {
      actorUserId: null,
      action: 'reports.overdue_reminders',
      subjectType: 'institution',
      subjectId: institutionId,
      data: { cases: caseIds.size, recipients },
    });
  }
  return { cases: fresh.size, mails };
}

/** Whether reminders were recorded for these cases (tests). */
export async function remindersFor(db: Db, reportIds: string[]) {
  if (reportIds.length === 0) return [];
  return db.select().from(reportRemindersSent).where(inArray(reportRemindersSent.reportId, reportIds));
}
