import { and, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import {
  institutionRoles,
  institutions,
  placementProviders,
  reports,
  supportContacts,
  users,
} from '../../../db/schema';
import {
  type ActionKind,
  type CaseOutcome,
  NamedReportSubmissionSchema,
  type ReportSubmissionSchema,
} from '../../../shared/speak-up/schema';
import type { Actor } from '../../platform/actor';
import type { Services } from '../../platform/services';
import { DEMO_ACCOUNTS, DEMO_INSTITUTION_SLUG } from '../identity';
import { addCaseMessage, addEscalation, assignCase, transitionCase } from './cases';
import { createPlacementProvider, createSupportContact } from './directory';
import { addReporterMessage, submitReport } from './reports';

/**
 * Speak-up demo data for Northfield Medical School: fictional placement providers, support
 * contacts, and twelve reports in every state of the workflow, created through the module's own
 * functions (so they are sealed like real ones) at past dates. Idempotent: if the school already
 * has reports, nothing is changed. Needs the identity demo first.
 */

const PROVIDERS = [
  'Northfield Teaching Hospitals NHS Foundation Trust',
  'Ashby Vale NHS Trust',
  'Riverside Community Health NHS Trust',
  'Northfield and District Mental Health NHS Foundation Trust',
  'Fernhill Primary Care Network',
] as const;

// Telephone numbers from Ofcom's range for drama (01632 960xxx): they reach nobody.
const SUPPORT = [
  {
    kind: 'wellbeing',
    name: 'Northfield Student Wellbeing Service',
    description:
      'Confidential support from counsellors and advisers, in person or online. Weekdays 9:00–17:00.',
    phone: '01632 960 100',
    url: 'https://wellbeing.northfield.example.ac.uk',
  },
  {
    kind: 'other',
    name: 'NorthRACE peer supporters',
    description:
      'Students and staff of NorthRACE trained to listen. They can help you decide what to do next; they do not handle reports.',
    phone: null,
    url: 'https://northrace.northfield.example.ac.uk/support',
  },
  {
    kind: 'chaplaincy',
    name: 'Multi-faith Chaplaincy',
    description: 'Chaplains of many faiths and none, for anyone who wants to talk.',
    phone: '01632 960 140',
    url: null,
  },
  {
    kind: 'ftsu_guardian',
    name: 'Freedom to Speak Up Guardian, Northfield Teaching Hospitals',
    description: 'For concerns on placement at the trust: the guardian supports students as well as staff.',
    phone: '01632 960 155',
    url: null,
  },
  {
    kind: 'bma',
    name: 'BMA support for medical students',
    description: 'Advice and representation for BMA members, including on racial harassment.',
    phone: null,
    url: 'https://www.bma.org.uk',
  },
  {
    kind: 'police_hate_crime',
    name: 'Report a hate crime to the police',
    description: 'Call 999 in an emergency and 101 otherwise, or report online through True Vision.',
    phone: '101',
    url: 'https://www.report-it.org.uk',
    urgent: true,
  },
] as const;

type Submission = z.input<typeof ReportSubmissionSchema>;
type Step =
  | { to: 'acknowledged' | 'assessing'; day: number }
  | { to: 'action'; day: number; actionKind: z.infer<typeof ActionKind> }
  | { to: 'closed'; day: number; outcome: z.infer<typeof CaseOutcome>; note?: string };

type DemoReport = {
  daysAgo: number;
  form: Omit<Submission, 'institutionId'>;
  provider?: number;
  named?: boolean;
  assign?: boolean;
  steps?: Step[];
  handlerMessage?: { day: number; body: string };
  reporterReply?: { day: number; body: string };
  note?: { day: number; body: string };
  escalation?: { day: number; provider: number; contactRole: string; shared: string; dueInDays: number };
};

const REPORTS: DemoReport[] = [
  {
    daysAgo: 4,
    form: {
      when: { kind: 'date', date: '' },
      where: { setting: 'campus', location: 'Anatomy teaching room' },
      who: { roles: ['fellow_student'] },
      involvement: 'directed_at_me',
      whatHappened:
        'In a dissection session two students in my group kept calling me by another Asian student’s name and laughed when I corrected them. It has happened every week this term.',
      effect: 'I dread the sessions and sit on my own now.',
      outcomeWanted: 'record_only',
      equality: { ethnicity: 'asian_indian', religion: 'hindu' },
    },
  },
  {
    daysAgo: 1,
    provider: 1,
    form: {
      when: { kind: 'date', date: '' },
      where: {
        setting: 'placement',
        providerId: null,
        site: 'Vale General Hospital',
        department: 'Acute medical unit',
      },
      who: { roles: ['patient'] },
      involvement: 'witnessed',
      whatHappened:
        'A patient refused to be examined by my friend because she wears a hijab, and said so loudly in the bay. Nobody on the team said anything.',
      outcomeWanted: 'support',
    },
  },
  {
    daysAgo: 9,
    provider: 0,
    assign: true,
    steps: [{ to: 'acknowledged', day: 1 }],
    handlerMessage: {
      day: 1,
      body: 'Thank you for telling us. I am the case handler for your report. Would you be willing to say which week of the rotation this was?',
    },
    reporterReply: { day: 3, body: 'It was the second week of my surgical placement.' },
    form: {
      when: { kind: 'range', from: '', to: '' },
      where: {
        setting: 'placement',
        providerId: null,
        site: 'Northfield General',
        department: 'General surgery, ward 21',
      },
      who: {
        roles: ['consultant'],
        names: 'The consultant leading the Tuesday ward round (I do not know his name)',
      },
      involvement: 'directed_at_me',
      whatHappened:
        'On the ward round the consultant asked where I was "really from" and then said students like me should not expect to pass surgery. The registrar laughed.',
      effect: 'I have stopped going to theatre when he is operating.',
      outcomeWanted: 'informal_resolution',
      assessmentProtection: true,
      equality: { ethnicity: 'black_african', religion: 'christian' },
    },
  },
  {
    daysAgo: 20,
    steps: [
      { to: 'acknowledged', day: 1 },
      { to: 'assessing', day: 3 },
    ],
    note: {
      day: 3,
      body: 'Estates say the CCTV for that entrance is kept for 30 days; asked them to keep it.',
    },
    form: {
      when: { kind: 'not_sure', note: 'An evening in the first week of term' },
      where: { setting: 'campus', location: 'Main entrance of the medical school, by the security desk' },
      who: { roles: ['other'], otherRole: 'Security staff member' },
      involvement: 'witnessed',
      whatHappened:
        'A Black student was asked to show his ID card twice while the white students ahead of him walked through.',
      outcomeWanted: 'record_only',
    },
  },
  {
    daysAgo: 35,
    provider: 0,
    assign: true,
    steps: [
      { to: 'acknowledged', day: 1 },
      { to: 'assessing', day: 2 },
      { to: 'action', day: 9, actionKind: 'formal_complaint' },
    ],
    handlerMessage: {
      day: 9,
      body: 'As you asked, your complaint has gone to the formal complaints process. Your placement assessment will be signed off by a different supervisor.',
    },
    form: {
      when: { kind: 'date', date: '' },
      where: {
        setting: 'placement',
        providerId: null,
        site: 'Northfield General',
        department: 'Emergency department',
      },
      who: { roles: ['nurse'], names: 'The nurse in charge of the night shift' },
      involvement: 'directed_at_me',
      whatHappened:
        'The nurse in charge mocked my accent in front of patients and told me to "speak English properly" before she would let me take a history.',
      effect: 'I worry that she writes part of my placement feedback.',
      outcomeWanted: 'formal_complaint',
      assessmentProtection: true,
      equality: { ethnicity: 'black_caribbean' },
    },
  },
  {
    daysAgo: 50,
    provider: 2,
    assign: true,
    steps: [
      { to: 'acknowledged', day: 2 },
      { to: 'assessing', day: 4 },
      { to: 'action', day: 8, actionKind: 'escalated_to_provider' },
    ],
    escalation: {
      day: 8,
      provider: 2,
      contactRole: 'Director of Medical Education',
      shared: 'The clinic, the week and what was said, without the student’s name, as the student agreed.',
      dueInDays: 28,
    },
    form: {
      when: { kind: 'date', date: '' },
      where: {
        setting: 'placement',
        providerId: null,
        site: 'Riverside Health Centre',
        department: 'Community paediatrics clinic',
      },
      who: { roles: ['consultant'] },
      involvement: 'directed_at_me',
      whatHappened:
        'During clinic the consultant said my braids were "unprofessional" and told me not to come back until I had changed my hair.',
      outcomeWanted: 'informal_resolution',
    },
  },
  {
    daysAgo: 70,
    provider: 4,
    steps: [
      { to: 'acknowledged', day: 1 },
      { to: 'assessing', day: 2 },
      { to: 'action', day: 3, actionKind: 'support_only' },
      {
        to: 'closed',
        day: 10,
        outcome: 'support_provided',
        note: 'Referred to the wellbeing service; student content.',
      },
    ],
    form: {
      when: { kind: 'date', date: '' },
      where: {
        setting: 'placement',
        providerId: null,
        site: 'Fernhill Surgery',
        department: 'GP consultations',
      },
      who: { roles: ['patient', 'relative'] },
      involvement: 'directed_at_me',
      whatHappened:
        'A patient’s son said he did not want "a foreigner" in the room. The GP asked me to leave and did not talk to me about it afterwards.',
      outcomeWanted: 'support',
      equality: { ethnicity: 'other_arab', religion: 'muslim' },
    },
  },
  {
    daysAgo: 95,
    steps: [
      { to: 'acknowledged', day: 1 },
      { to: 'assessing', day: 3 },
      { to: 'action', day: 7, actionKind: 'informal_resolution' },
      { to: 'closed', day: 20, outcome: 'resolved_informally' },
    ],
    form: {
      when: { kind: 'date', date: '' },
      where: { setting: 'campus', location: 'Year 2 group chat for the anatomy module' },
      who: { roles: ['fellow_student'] },
      involvement: 'witnessed',
      whatHappened:
        'Someone posted a "joke" about Chinese students and coronavirus, and several people reacted with laughing emojis.',
      outcomeWanted: 'informal_resolution',
    },
  },
  {
    daysAgo: 120,
    provider: 0,
    steps: [
      { to: 'acknowledged', day: 2 },
      { to: 'assessing', day: 5 },
      { to: 'action', day: 12, actionKind: 'formal_complaint' },
      {
        to: 'closed',
        day: 45,
        outcome: 'complaint_upheld',
        note: 'Upheld by the trust; the consultant has been given training.',
      },
    ],
    form: {
      when: { kind: 'date', date: '' },
      where: { setting: 'placement', providerId: null, site: 'Northfield General', department: 'Obstetrics' },
      who: { roles: ['consultant'] },
      involvement: 'witnessed',
      whatHappened:
        'The consultant told the team that Black women "exaggerate pain" during a handover, in front of students and a patient’s partner.',
      outcomeWanted: 'formal_complaint',
    },
  },
  {
    daysAgo: 14,
    named: true,
    assign: true,
    steps: [{ to: 'acknowledged', day: 1 }],
    handlerMessage: {
      day: 1,
      body: 'Thank you for putting your name to this. Could we meet next week? I can come to the medical school.',
    },
    form: {
      when: { kind: 'date', date: '' },
      where: { setting: 'campus', location: 'Seminar room 3, clinical skills centre' },
      who: { roles: ['other'], otherRole: 'A visiting lecturer' },
      involvement: 'directed_at_me',
      whatHappened:
        'The lecturer used an outdated racial term for South Asian people three times and, when I raised it, said I was "too sensitive for medicine".',
      outcomeWanted: 'informal_resolution',
    },
  },
  {
    daysAgo: 140,
    provider: 3,
    steps: [
      { to: 'acknowledged', day: 1 },
      { to: 'assessing', day: 2 },
      { to: 'action', day: 3, actionKind: 'support_only' },
      { to: 'closed', day: 6, outcome: 'recorded_no_further_action' },
    ],
    form: {
      when: { kind: 'not_sure' },
      where: { setting: 'placement', providerId: null, site: 'Oakwood Unit', department: 'Inpatient ward' },
      who: { roles: ['patient'] },
      involvement: 'witnessed',
      whatHappened:
        'An unwell patient shouted racist abuse at a healthcare assistant. Staff handled it well; I wanted it recorded.',
      outcomeWanted: 'record_only',
    },
  },
  {
    daysAgo: 12,
    provider: 1,
    steps: [
      { to: 'acknowledged', day: 1 },
      { to: 'assessing', day: 4 },
    ],
    form: {
      when: { kind: 'date', date: '' },
      where: {
        setting: 'placement',
        providerId: null,
        site: 'Vale General Hospital',
        department: 'Orthopaedic outpatients',
      },
      who: { roles: ['nurse', 'other'], otherRole: 'Clinic receptionist' },
      involvement: 'directed_at_me',
      whatHappened:
        'I was repeatedly mistaken for a cleaner and told to "wait outside with the others" while my white classmate was shown in.',
      outcomeWanted: 'support',
      equality: { ethnicity: 'prefer_not_to_say' },
    },
  },
];

const DAY = 86_400_000;

function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export async function loadSpeakUpDemo(services: Services, now = new Date()): Promise<string> {
  const { db } = services;
  const [school] = await db
    .select({ id: institutions.id })
    .from(institutions)
    .where(eq(institutions.slug, DEMO_INSTITUTION_SLUG));
  if (!school) return 'Speak-up demo: the demo school is not loaded; nothing was added.';
  const [{ n }] = (await db
    .select({ n: sql<number>`count(*)::int` })
    .from(reports)
    .where(eq(reports.institutionId, school.id))) as [{ n: number }];
  if (n > 0) return 'Speak-up demo: Northfield already has reports; nothing was changed.';

  const [handler] = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .innerJoin(
      institutionRoles,
      and(eq(institutionRoles.userId, users.id), eq(institutionRoles.institutionId, school.id)),
    )
    .where(eq(users.email, DEMO_ACCOUNTS.caseHandler));
  const [student] = await db
    .select({ userId: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.email, DEMO_ACCOUNTS.student));
  if (!handler || !student)
    return 'Speak-up demo: the demo case handler or student is missing; nothing was added.';
  // The demo case handler, as the domain functions see a signed-in handler with their second factor.
  const actor: Actor = {
    userId: handler.id,
    email: handler.email,
    name: handler.name,
    isAdmin: false,
    sessionIdHash: 'demo',
    csrfToken: 'demo',
    hasTotp: true,
    secondFactorDone: true,
    mustEnrolTotp: false,
    memberships: [],
    caseHandlerOf: [school.id],
  };

  const existingProviders = await db
    .select({ id: placementProviders.id })
    .from(placementProviders)
    .where(eq(placementProviders.institutionId, school.id));
  const providerIds: string[] = [];
  if (existingProviders.length === 0) {
    for (const name of PROVIDERS)
      providerIds.push((await createPlacementProvider(db, null, school.id, { name })).id);
  } else {
    for (const name of PROVIDERS) {
      const [p] = await db
        .select({ id: placementProviders.id })
        .from(placementProviders)
        .where(and(eq(placementProviders.institutionId, school.id), eq(placementProviders.name, name)));
      providerIds.push(p?.id ?? existingProviders[0]!.id);
    }
  }
  const [contacts] = (await db
    .select({ n: sql<number>`count(*)::int` })
    .from(supportContacts)
    .where(eq(supportContacts.institutionId, school.id))) as [{ n: number }];
  if (contacts.n === 0) {
    for (const contact of SUPPORT) {
      await createSupportContact(db, null, school.id, { ...contact, description: contact.description });
    }
  }

  let sampleReceipt = '';
  for (const [index, demo] of REPORTS.entries()) {
    const receivedAt = new Date(now.getTime() - demo.daysAgo * DAY - ((index * 37) % 300) * 60_000);
    const at = (day: number) => new Date(Math.min(receivedAt.getTime() + day * DAY, now.getTime() - 60_000));
    // Incidents happen a day or two before they are reported.
    const incident = new Date(receivedAt.getTime() - 2 * DAY);
    const when =
      demo.form.when.kind === 'date'
        ? { kind: 'date' as const, date: isoDate(incident) }
        : demo.form.when.kind === 'range'
          ? {
              kind: 'range' as const,
              from: isoDate(new Date(incident.getTime() - 14 * DAY)),
              to: isoDate(incident),
            }
          : demo.form.when;
    const where =
      demo.form.where.setting === 'placement'
        ? { ...demo.form.where, providerId: providerIds[demo.provider ?? 0]! }
        : demo.form.where;
    // Through the form's own schema, as a real submission would be.
    const form = NamedReportSubmissionSchema.parse({
      ...demo.form,
      institutionId: school.id,
      when,
      where,
      consentToContact: true,
    });
    const submitted = await submitReport(services, form, {
      receivedAt,
      ...(demo.named ? { reporter: { person: student, consentToContact: true } } : {}),
    });
    if (index === 2) sampleReceipt = submitted.receipt;
    const id = submitted.id;
    if (demo.assign) await assignCase(services, actor, id, handler.id, { at: at(0.1) });
    const events: { day: number; run: () => Promise<unknown> }[] = [];
    for (const step of demo.steps ?? []) {
      events.push({
        day: step.day,
        run: () =>
          transitionCase(
            services,
            actor,
            id,
            {
              to: step.to,
              ...(step.to === 'action' ? { actionKind: step.actionKind } : {}),
              ...(step.to === 'closed' ? { outcome: step.outcome, outcomeNote: step.note } : {}),
            },
            { at: at(step.day) },
          ),
      });
    }
    const { handlerMessage, reporterReply, note, escalation } = demo;
    if (handlerMessage) {
      events.push({
        day: handlerMessage.day + 0.01,
        run: () =>
          addCaseMessage(services, actor, id, handlerMessage.body, false, {
            at: at(handlerMessage.day + 0.01),
          }),
      });
    }
    if (reporterReply) {
      events.push({
        day: reporterReply.day,
        run: () => addReporterMessage(services, id, reporterReply.body, { at: at(reporterReply.day) }),
      });
    }
    if (note) {
      events.push({
        day: note.day + 0.02,
        run: () => addCaseMessage(services, actor, id, note.body, true, { at: at(note.day + 0.02) }),
      });
    }
    if (escalation) {
      events.push({
        day: escalation.day + 0.03,
        run: () =>
          addEscalation(
            services,
            actor,
            id,
            {
              providerId: providerIds[escalation.provider]!,
              contactRole: escalation.contactRole,
              shared: escalation.shared,
              consent: true,
              responseDueOn: isoDate(new Date(at(escalation.day).getTime() + escalation.dueInDays * DAY)),
            },
            { at: at(escalation.day + 0.03) },
          ),
      });
    }
    // In time order; a step and a message on one day: the step first.
    events.sort((a, b) => a.day - b.day);
    for (const event of events) await event.run();
  }

  return [
    `Speak-up demo loaded: ${PROVIDERS.length} placement providers, ${SUPPORT.length} support contacts, ${REPORTS.length} reports (one named, by ${student.name}).`,
    `  The case handler (${DEMO_ACCOUNTS.caseHandler}) sees them under Case handling; co-chairs see the suppressed statistics.`,
    `  Follow an anonymous report as its reporter would, with the receipt code ${sampleReceipt}`,
  ].join('\n');
}
