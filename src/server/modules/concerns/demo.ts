import { count, eq, inArray } from 'drizzle-orm';
import { concerns, networks, users } from '../../../db/schema';
import type {
  ActionStatus,
  ConcernCategory,
  ConcernVisibility,
  TriageInput,
} from '../../../shared/concerns/schema';
import type { Actor } from '../../platform/actor';
import { actorFor } from '../../platform/actor-for';
import type { Services } from '../../platform/services';
import { addMilestone, createAction, setConsent, updateMilestone } from './actions';
import { flagConcern, raiseConcern, setForAgenda, setHidden, setSupport } from './concerns';
import { postActionUpdate, triageConcern } from './triage';

/**
 * Concerns demo data for Northfield Medical School (idempotent: nothing is changed when NorthRACE
 * already has concerns). Everything goes through the module's own domain functions, back-dated,
 * so the data is what the app itself would have written: concerns in every state, supports,
 * answers, actions with milestones, sub-actions and updates, one overdue concern and one stale
 * action. Drawn from the seeds' examples (MedRACE): inclusive theatre headwear, the kara in
 * theatre, students on appointment panels, jaundice and cyanosis on black and brown skin, and an
 * art exhibition on inclusion.
 */

const DAY = 86_400_000;

type ConcernSeed = {
  key: string;
  network: 'northrace' | 'northpride' | 'northdialect';
  by: string;
  visibility: ConcernVisibility;
  daysAgo: number;
  title: string;
  description: string;
  category: ConcernCategory;
  moduleRef?: string;
  placementSite?: string;
  supporters?: string[];
};

const CONCERNS: ConcernSeed[] = [
  {
    key: 'headwear',
    network: 'northrace',
    by: 'Aisha Begum',
    visibility: 'anonymous_to_members',
    daysAgo: 230,
    title: 'Theatre caps do not fit over braids, locs or a hijab',
    description:
      'The disposable theatre caps are too small for braids or locs, and there is no theatre-approved hijab. ' +
      'Several of us have been told to leave theatre or to "sort our hair out". We need headwear that fits everyone.',
    category: 'uniform_and_facilities',
    placementSite: 'All theatre sites',
    supporters: [
      'Amina Yusuf',
      'Grace Boateng',
      'Imani Clarke',
      'Esther Nwosu',
      'Fatima Rahman',
      'Ayesha Siddiqui',
      'Zara Khan',
      'Oluwaseun Adeyemi',
    ],
  },
  {
    key: 'kara',
    network: 'northrace',
    by: 'Mohammed Hussain',
    visibility: 'named',
    daysAgo: 170,
    title: 'Kara refused in theatre at Northfield General',
    description:
      'A Sikh student was told to remove his kara before scrubbing in, although it can be pushed up the arm and ' +
      'covered. Other trusts allow this. Can the network ask the trust to review its policy?',
    category: 'policy',
    placementSite: 'Northfield General Hospital',
    supporters: ['Harvey Singh', 'Jasmine Kaur', 'Arjun Nair', 'Dev Mistry', 'Kofi Asante', 'Tanvir Ahmed'],
  },
  {
    key: 'panels',
    network: 'northrace',
    by: 'Fatima Rahman',
    visibility: 'named',
    daysAgo: 150,
    title: 'Students on appointment panels for teaching staff',
    description:
      'Students from under-represented groups have no voice when clinical teaching fellows are appointed. ' +
      'Other schools include a trained student on the panel. Could we?',
    category: 'policy',
    supporters: ['Bilal Qureshi', 'Mei Chen', 'Jamal Campbell', 'Priya Sharma'],
  },
  {
    key: 'jaundice',
    network: 'northrace',
    by: 'Yusuf Ali',
    visibility: 'anonymous',
    daysAgo: 120,
    title: 'Jaundice and cyanosis are only taught on white skin',
    description:
      'Every image of jaundice, cyanosis and pallor in the year 2 clinical skills sessions is on white skin. ' +
      'On placement we are expected to recognise them on black and brown skin without ever having been shown how.',
    category: 'curriculum',
    moduleRef: 'Year 2 Clinical Skills',
    supporters: [
      'Daniel Osei',
      'Grace Boateng',
      'Tariq Mahmood',
      'Esther Nwosu',
      'Kwame Mensah',
      'Mei Chen',
      'Jack Thompson',
    ],
  },
  {
    key: 'dermatology',
    network: 'northrace',
    by: 'Priya Sharma',
    visibility: 'named',
    daysAgo: 100,
    title: 'Dermatology lectures lack images of darker skin',
    description:
      'Eczema, psoriasis and rashes are shown almost only on white skin in the dermatology lectures. Please add ' +
      'images of the same conditions on darker skin tones.',
    category: 'curriculum',
    moduleRef: 'Year 3 Dermatology',
    supporters: ['Amina Yusuf', 'Lucy Zhang'],
  },
  {
    key: 'exhibition',
    network: 'northrace',
    by: 'Chloe Williams',
    visibility: 'named',
    daysAgo: 90,
    title: 'An art exhibition on inclusion in medicine',
    description:
      'Many of us make art about belonging, heritage and what it is like to be a student of colour in medicine. ' +
      'An exhibition in the medical school atrium would start conversations that lectures do not.',
    category: 'culture',
    supporters: ['Hannah Evans', 'Sofia Rossi', 'Marcus Bennett'],
  },
  {
    key: 'prayer',
    network: 'northrace',
    by: 'Zara Khan',
    visibility: 'named',
    daysAgo: 70,
    title: 'Nowhere to pray near the wards at Northfield General',
    description:
      'On long ward days there is nowhere quiet to pray near the medical wards, and we lose most of a break walking to the chaplaincy.',
    category: 'uniform_and_facilities',
    placementSite: 'Northfield General Hospital',
    supporters: ['Ayesha Siddiqui', 'Bilal Qureshi'],
  },
  {
    key: 'library',
    network: 'northrace',
    by: 'Jamal Campbell',
    visibility: 'named',
    daysAgo: 65,
    title: 'Rename the medical library after a graduate of colour',
    description:
      'The library is named after a Victorian benefactor with links to the slave trade. It could be named after one of our own graduates instead.',
    category: 'culture',
    supporters: ['Kofi Asante'],
  },
  {
    key: 'worship',
    network: 'northrace',
    by: 'Tariq Mahmood',
    visibility: 'anonymous_to_members',
    daysAgo: 40,
    title: 'Placements are allocated without regard to places of worship',
    description:
      'Students who need to attend Friday prayers are allocated to rural practices with no mosque nearby and no time to travel.',
    category: 'placement',
    supporters: ['Arjun Nair', 'Harvey Singh'],
  },
  {
    key: 'remarks',
    network: 'northrace',
    by: 'Daniel Osei',
    visibility: 'anonymous_to_members',
    daysAgo: 21,
    title: 'Patients’ racist remarks on placement are brushed off by supervisors',
    description:
      'When a patient makes a racist remark, supervisors often laugh it off or tell us not to take it personally. ' +
      'We would like clear guidance for supervisors on how to respond and support the student.',
    category: 'placement',
    supporters: ['Grace Boateng', 'Amina Yusuf', 'Oluwaseun Adeyemi'],
  },
  {
    key: 'exotic',
    network: 'northrace',
    by: 'Mei Chen',
    visibility: 'named',
    daysAgo: 4,
    title: 'Patients’ names called "exotic" on ward rounds',
    description:
      'Consultants have called patients’ and students’ names "exotic" or "unpronounceable" in front of the team. A short reminder in the ward-round teaching guide would help.',
    category: 'culture',
  },
  {
    key: 'tutor',
    network: 'northrace',
    by: 'Tom Hughes',
    visibility: 'named',
    daysAgo: 30,
    title: 'Complaint about one tutor by name',
    description:
      'A complaint naming an individual tutor and describing them in abusive terms (hidden by the co-chairs).',
    category: 'other',
  },
  {
    key: 'pronouns',
    network: 'northpride',
    by: 'Samuel Okoro',
    visibility: 'named',
    daysAgo: 140,
    title: 'Pronoun badges for students on placement',
    description:
      'Ward staff often misgender trans and non-binary students. Optional pronoun badges would help.',
    category: 'uniform_and_facilities',
    supporters: ['Deborah Afolabi', 'Ffion Lloyd'],
  },
  {
    key: 'accent',
    network: 'northdialect',
    by: 'Wei Liu',
    visibility: 'anonymous_to_members',
    daysAgo: 6,
    title: 'OSCE feedback comments on students’ accents',
    description:
      'Written OSCE feedback has commented on accents rather than communication. Examiners need guidance.',
    category: 'assessment',
    supporters: ['Hamza Malik'],
  },
];

export async function loadConcernsDemo(services: Services): Promise<string> {
  const { db } = services;
  const nets = await db.select({ id: networks.id, slug: networks.slug }).from(networks);
  const networkId = (slug: string) => nets.find((n) => n.slug === slug)?.id;
  const race = networkId('northrace');
  if (!race) return '';
  const [existing] = await db.select({ n: count() }).from(concerns).where(eq(concerns.networkId, race));
  if ((existing?.n ?? 0) > 0) return 'Concerns demo: already there; nothing was changed.';

  const names = [...new Set(CONCERNS.flatMap((c) => [c.by, ...(c.supporters ?? [])]))].concat([
    'Amara Okafor',
    'Ravi Patel',
    'Kwame Mensah',
    'Margaret Okonkwo',
    'Nasreen Chowdhury',
    'Yetunde Bakare',
    'Andrew Walsh',
    'Imani Clarke',
    'David Goldberg',
    'Deborah Afolabi',
    'Louise Hart',
  ]);
  const people = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(inArray(users.name, names));
  const actors = new Map<string, Actor>();
  const as = async (name: string): Promise<Actor> => {
    const known = actors.get(name);
    if (known) return known;
    const person = people.find((p) => p.name === name);
    if (!person) throw new Error(`The identity demo has no ${name}`);
    const actor = await actorFor(db, person.id);
    actors.set(name, actor);
    return actor;
  };
  const idOf = async (name: string) => (await as(name)).userId;
  const now = Date.now();
  const ago = (days: number) => new Date(now - days * DAY);

  const ids = new Map<string, string>();
  for (const seed of CONCERNS) {
    const network = networkId(seed.network);
    if (!network) continue;
    const created = await raiseConcern(
      db,
      await as(seed.by),
      network,
      {
        title: seed.title,
        description: seed.description,
        category: seed.category,
        moduleRef: seed.moduleRef,
        placementSite: seed.placementSite,
        visibility: seed.visibility,
      },
      { now: ago(seed.daysAgo) },
    );
    ids.set(seed.key, created.id);
    for (const supporter of seed.supporters ?? [])
      await setSupport(db, await as(supporter), created.id, true);
  }
  const concern = (key: string) => ids.get(key)!;

  const chair = await as('Amara Okafor');
  const staffChair = await as('Ravi Patel');
  const triage = (by: Actor, key: string, input: TriageInput, daysAgo: number) =>
    db.transaction((tx) => triageConcern(tx, by, concern(key), input, { now: ago(daysAgo) }));
  const update = (
    by: Actor,
    actionId: string,
    input: { body: string; progress?: number; status?: ActionStatus },
    daysAgo: number,
  ) => db.transaction((tx) => postActionUpdate(tx, by, actionId, input, { now: ago(daysAgo) }));
  const milestone = async (
    by: Actor,
    actionId: string,
    title: string,
    dueDaysAgo: number,
    doneDaysAgo?: number,
  ) => {
    const dueOn = ago(dueDaysAgo).toISOString().slice(0, 10);
    const { id } = await addMilestone(db, by, actionId, { title, dueOn });
    if (doneDaysAgo !== undefined) {
      await updateMilestone(db, by, actionId, id, { done: true }, { now: ago(doneDaysAgo) });
    }
  };

  // Inclusive theatre headwear: accepted, two weighted sub-actions, completed (student lead named).
  const headwear = await triage(
    chair,
    'headwear',
    {
      status: 'accepted',
      answer:
        'Thank you. We agree: nobody should be sent out of theatre because of their hair or their faith. We will work with theatre managers and the uniform team on headwear that fits everyone.',
      newAction: {
        title: 'Inclusive theatre headwear',
        summary:
          'Theatre caps that fit over braids and locs, and a theatre-approved hijab, stocked at every theatre site, with guidance for theatre staff.',
        studentLeadId: await idOf('Kwame Mensah'),
        staffSponsorId: await idOf('Margaret Okonkwo'),
      },
    },
    222,
  );
  const headwearId = headwear.actionId!;
  const kwame = await as('Kwame Mensah');
  const sub = async (title: string, weight: number, daysAgo: number) =>
    (
      await createAction(
        db,
        chair,
        race,
        {
          title,
          summary: '',
          category: 'uniform_and_facilities',
          studentLeadId: kwame.userId,
          staffSponsorId: await idOf('Margaret Okonkwo'),
          parentId: headwearId,
          weight,
          public: true,
        },
        { now: ago(daysAgo) },
      )
    ).id;
  const caps = await sub('Extra-large caps and bouffant hats for braids and locs', 2, 215);
  const hijab = await sub('A theatre-approved hijab at every site', 1, 215);
  await milestone(kwame, headwearId, 'Samples tried by students in the skills lab', 180, 178);
  await milestone(kwame, headwearId, 'Stocked in every theatre', 90, 75);
  await update(
    kwame,
    caps,
    { body: 'Three suppliers sent samples; twelve students tried them in the skills lab.', progress: 40 },
    178,
  );
  await update(
    kwame,
    hijab,
    { body: 'Infection control approved a single-use theatre hijab.', progress: 60 },
    160,
  );
  await update(kwame, caps, { body: 'Caps ordered for all four theatre sites.', progress: 80 }, 120);
  await update(
    kwame,
    hijab,
    { body: 'The theatre hijab is now stocked at every site.', status: 'completed' },
    90,
  );
  await update(kwame, caps, { body: 'Caps are in every theatre changing room.', status: 'completed' }, 75);
  await update(
    kwame,
    headwearId,
    {
      body: 'Done: caps that fit over braids and locs and a theatre hijab are stocked at every site, and theatre staff have a one-page guide.',
      status: 'completed',
    },
    74,
  );
  await setConsent(db, kwame, headwearId, true);

  // Kara: accepted into a policy review with the local trust, in progress.
  const kara = await triage(
    staffChair,
    'kara',
    {
      status: 'accepted',
      answer:
        'We raised this with the trust’s infection prevention team, who agreed to review the policy with us and the Sikh chaplain.',
      newAction: {
        title: 'Kara in theatre: policy review with Northfield General Hospital NHS Trust',
        summary:
          'A joint review of the bare-below-the-elbows policy so that a kara can be worn pushed up and covered.',
        studentLeadId: await idOf('Harvey Singh'),
        staffSponsorId: await idOf('Ravi Patel'),
      },
    },
    160,
  );
  await milestone(staffChair, kara.actionId!, 'Meeting with infection prevention and the chaplain', 130, 128);
  await milestone(staffChair, kara.actionId!, 'Revised policy to the trust’s policy committee', -30);
  await update(
    staffChair,
    kara.actionId!,
    { body: 'First meeting held; the trust will draft a revised policy.', progress: 30 },
    128,
  );
  await update(
    staffChair,
    kara.actionId!,
    { body: 'Draft policy allows a kara pushed up the forearm and covered with a sleeve.', progress: 60 },
    30,
  );

  // Students on appointment panels: discussed, then accepted; its action has had no update for 75 days (stale).
  await triage(
    chair,
    'panels',
    { status: 'under_discussion', answer: 'We will discuss this with the Dean at our next meeting.' },
    140,
  );
  const panels = await triage(
    chair,
    'panels',
    {
      status: 'accepted',
      answer: 'The Dean agreed to pilot a trained student member on teaching-fellow appointment panels.',
      newAction: {
        title: 'Students on appointment panels',
        summary: 'Train student members and include one on every clinical teaching fellow appointment panel.',
        studentLeadId: await idOf('Fatima Rahman'),
        staffSponsorId: await idOf('Nasreen Chowdhury'),
      },
    },
    110,
  );
  await update(
    chair,
    panels.actionId!,
    { body: 'Recruitment training booked for six student panel members.', progress: 20 },
    75,
  );

  // Jaundice and cyanosis on black and brown skin: two concerns behind one action.
  const skin = await triage(
    staffChair,
    'jaundice',
    {
      status: 'accepted',
      answer:
        'You are right, and thank you for raising it. The clinical skills lead will add images and teaching on recognising jaundice, cyanosis and pallor on black and brown skin.',
      newAction: {
        title: 'Teaching jaundice and cyanosis recognition on black and brown skin',
        summary:
          'New images and a teaching session on recognising jaundice, cyanosis and pallor across skin tones.',
        studentLeadId: await idOf('Esther Nwosu'),
        staffSponsorId: await idOf('Yetunde Bakare'),
      },
    },
    105,
  );
  await triage(
    staffChair,
    'dermatology',
    {
      status: 'accepted',
      answer: 'This joins our work on teaching across skin tones.',
      existingActionId: skin.actionId!,
    },
    95,
  );
  await milestone(staffChair, skin.actionId!, 'Image bank of clinical photographs with consent', 60, 50);
  await milestone(staffChair, skin.actionId!, 'New session taught to year 2', -45);
  await update(
    staffChair,
    skin.actionId!,
    { body: 'Forty photographs collected with patients’ consent.', progress: 40 },
    50,
  );

  // The art exhibition: accepted, planned with a date.
  const exhibition = await triage(
    chair,
    'exhibition',
    {
      status: 'accepted',
      answer: 'A wonderful idea. The school has offered the atrium for a week in the spring.',
      newAction: {
        title: 'Art exhibition on inclusion',
        summary:
          'A week-long exhibition of students’ and staff’s art on belonging and inclusion in medicine.',
        studentLeadId: await idOf('Chloe Williams'),
        staffSponsorId: await idOf('Andrew Walsh'),
      },
    },
    80,
  );
  await milestone(chair, exhibition.actionId!, 'Call for submissions', 30, 30);
  await milestone(chair, exhibition.actionId!, 'Exhibition opens', -60);
  await update(
    chair,
    exhibition.actionId!,
    { body: 'Call for submissions sent to all students and staff.', progress: 25 },
    30,
  );

  // Answered, not taken forward, under discussion (on the agenda), hidden after flags; two left new
  // (one overdue, one recent).
  await triage(
    staffChair,
    'prayer',
    {
      status: 'answered',
      answer:
        'There is a quiet room on level 2 of the West Wing, next to the medical wards, open at all hours. The trust has added it to the placement induction.',
    },
    60,
  );
  await triage(
    chair,
    'library',
    {
      status: 'not_taken_forward',
      reason: 'outside_our_remit',
      answer:
        'Building names are decided by the University Council, not the network. We passed the suggestion to the University’s naming review.',
    },
    55,
  );
  await triage(
    chair,
    'worship',
    {
      status: 'under_discussion',
      answer: 'We will discuss this with the placements team at our next meeting.',
    },
    30,
  );
  await setForAgenda(db, chair, concern('worship'), true, { now: ago(30) });
  await flagConcern(db, await as('Grace Boateng'), concern('tutor'), 'It names a tutor and is abusive.', {
    now: ago(29),
  });
  await flagConcern(db, await as('Priya Sharma'), concern('tutor'), 'This names someone.', { now: ago(29) });
  await setHidden(
    db,
    chair,
    concern('tutor'),
    {
      reason:
        'It names an individual member of staff. Please use Speak up to report what happened; a case handler will help.',
    },
    { now: ago(28) },
  );

  // The other networks: one completed action, one new concern.
  const pride = networkId('northpride');
  if (pride && ids.has('pronouns')) {
    const imani = await as('Imani Clarke');
    const badges = await triage(
      imani,
      'pronouns',
      {
        status: 'accepted',
        answer: 'Agreed with the placements office: optional pronoun badges for all students.',
        newAction: {
          title: 'Pronoun badges for students on placement',
          summary: 'Optional pronoun badges issued with placement ID cards.',
          studentLeadId: await idOf('Deborah Afolabi'),
          staffSponsorId: await idOf('Louise Hart'),
        },
      },
      130,
    );
    await update(
      imani,
      badges.actionId!,
      { body: 'Badges are now issued with every placement ID card.', status: 'completed' },
      60,
    );
  }

  return `Concerns demo: ${ids.size} concerns (one overdue, one hidden), 6 actions on NorthRACE’s impact board and NorthPRIDE’s.`;
}
