import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import {
  Ethnicity,
  InvolvedRole,
  MATCHING_HOLD_MONTHS,
  NamedReportSubmissionSchema,
  OutcomeWanted,
  Religion,
  ReportSubmissionSchema,
  SpeakUpLimits,
} from '../../../shared/speak-up/schema';
import { api, seg } from '../../app/api';
import {
  ChoiceGroup,
  ErrorSummary,
  Field,
  SelectField,
  SubmitButton,
  TextAreaField,
  TextField,
  useForm,
} from '../../app/forms';
import { LoadError, useLoad } from '../../app/load';
import { Loading, Page } from '../../app/page';
import { ReceiptCodeSection } from '../../app/receipt';
import { rolesOf, useSession } from '../../app/session';
import { outcomeWantedLabels, type Provider, roleLabels, type SupportContact, SupportList } from './common';

/**
 * `/report`: report something that happened, anonymously by default. Support first, then the
 * form; after sending, the receipt code once, and support again. Nothing is stored in the browser.
 */

type NetworkRow = { institutionId: string; institutionName: string };
type Submitted = { reference: string; receipt: string; named?: boolean };

const FIELDS = [
  'institutionId',
  'when',
  'when.date',
  'when.from',
  'when.to',
  'when.note',
  'where',
  'where.location',
  'where.providerId',
  'where.providerOther',
  'where.site',
  'where.department',
  'who.roles',
  'who.otherRole',
  'who.names',
  'involvement',
  'whatHappened',
  'effect',
  'outcomeWanted',
  'assessmentProtection',
  'consentToContact',
  'matching.person',
  'matching.context.site',
  'matching.context.role',
  'matching.context.month',
  'matching',
  'matching.onExpiry',
] as const;

const ethnicityGroup: Record<string, string> = {
  asian: 'Asian or Asian British',
  black: 'Black, Black British, Caribbean or African',
  mixed: 'Mixed or multiple ethnic groups',
  white: 'White',
  other: 'Other ethnic group',
};
const words = (s: string) => s.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
const ethnicityOptions = [
  { value: '', label: 'Not answered' },
  ...Ethnicity.options.map((v) => {
    if (v === 'prefer_not_to_say') return { value: v, label: 'Prefer not to say' };
    const [group, ...rest] = v.split('_');
    return { value: v, label: `${ethnicityGroup[group!] ?? group}: ${words(rest.join('_'))}` };
  }),
];
const religionOptions = [
  { value: '', label: 'Not answered' },
  ...Religion.options.map((v) => ({ value: v, label: words(v) })),
];

export function ReportPage() {
  const [done, setDone] = useState<{ submitted: Submitted; institutionId: string } | null>(null);
  if (done) return <ReceiptPage submitted={done.submitted} institutionId={done.institutionId} />;
  return <ReportForm onDone={(submitted, institutionId) => setDone({ submitted, institutionId })} />;
}

function ReportForm({ onDone }: { onDone: (s: Submitted, institutionId: string) => void }) {
  const { session } = useSession();
  const signedIn = rolesOf(session).signedIn;
  const networks = useLoad<NetworkRow[]>('/api/networks');
  const institutions = [
    ...new Map((networks.data ?? []).map((n) => [n.institutionId, n.institutionName])).entries(),
  ].map(([value, label]) => ({ value, label }));
  const [institutionId, setInstitutionId] = useState('');
  const chosen = institutionId || (institutions.length === 1 ? institutions[0]!.value : '');
  const support = useLoad<SupportContact[]>(
    chosen ? `/api/speak-up/institutions/${seg(chosen)}/support` : null,
  );
  const providers = useLoad<Provider[]>(
    chosen ? `/api/speak-up/institutions/${seg(chosen)}/placement-providers` : null,
  );
  // A school still setting up takes no reports (the server refuses them too): nobody could read them.
  const status = useLoad<{ open: boolean }>(
    chosen ? `/api/speak-up/institutions/${seg(chosen)}/status` : null,
  );
  const settingUp = status.data?.open === false;
  const [whenKind, setWhenKind] = useState('date');
  const [setting, setSetting] = useState('placement');
  const [identity, setIdentity] = useState('anonymous');
  const [hold, setHold] = useState(false);
  const form = useForm(FIELDS);

  if (networks.loading) return <Loading what="Loading the report form" />;
  if (networks.error) return <LoadError message={networks.error} retry={networks.reload} />;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => {
      const v = data.get(name);
      return typeof v === 'string' ? v : '';
    };
    const when =
      whenKind === 'date'
        ? { kind: 'date', date: text('when.date') }
        : whenKind === 'range'
          ? { kind: 'range', from: text('when.from'), to: text('when.to') }
          : { kind: 'not_sure', note: text('when.note') };
    const where =
      setting === 'campus'
        ? { setting, location: text('where.location') }
        : {
            setting,
            providerId: text('where.providerId') || null,
            providerOther: text('where.providerId') ? undefined : text('where.providerOther'),
            site: text('where.site'),
            department: text('where.department'),
          };
    const ethnicity = text('equality.ethnicity');
    const religion = text('equality.religion');
    const equality =
      ethnicity || religion
        ? { ...(ethnicity ? { ethnicity } : {}), ...(religion ? { religion } : {}) }
        : undefined;
    const raw: Record<string, unknown> = {
      institutionId: chosen,
      when,
      where,
      who: {
        roles: data.getAll('who.roles').filter((v) => typeof v === 'string'),
        otherRole: text('who.otherRole'),
        names: text('who.names'),
      },
      involvement: text('involvement') || undefined,
      whatHappened: text('whatHappened'),
      effect: text('effect'),
      outcomeWanted: text('outcomeWanted') || undefined,
      assessmentProtection: data.get('assessmentProtection') === 'on',
      ...(equality ? { equality } : {}),
    };
    if (hold) {
      const site = text('matching.context.site');
      const role = text('matching.context.role');
      const month = text('matching.context.month');
      const person = text('matching.person').trim();
      raw.matching = {
        ...(person ? { person } : {}),
        ...(site || role || month ? { context: { site, role: role || undefined, month } } : {}),
        onExpiry: text('matching.onExpiry') === 'release' ? 'release' : 'delete',
      };
    }
    const named = signedIn && identity === 'named';
    // Waiting for a match needs the account (it counts distinct people); the report itself can
    // still be anonymous to the case handlers.
    const signedInRoute = named || (signedIn && hold);
    if (named) raw.consentToContact = data.get('consentToContact') === 'on';
    if (signedInRoute && !named) raw.anonymousToHandlers = true;
    const schema = signedInRoute ? NamedReportSubmissionSchema : ReportSubmissionSchema;
    void form.submit(schema, raw, async (body) => {
      const submitted = await api.post<Submitted>(
        signedInRoute ? '/api/speak-up/named-reports' : '/api/speak-up/reports',
        body,
      );
      onDone({ ...submitted, named }, chosen);
    });
  }

  return (
    <Page
      title="Report something that happened"
      lead="Tell us about racism or racial harassment you experienced or saw, on campus or on placement. You do not have to give your name. Take your time; nothing is sent until you press the button at the end."
      className="su-report"
    >
      {institutions.length > 1 ? (
        <div className="field">
          <label htmlFor={form.fieldId('institutionId')}>Your medical school</label>
          <select
            id={form.fieldId('institutionId')}
            value={institutionId}
            onChange={(e) => setInstitutionId(e.target.value)}
          >
            <option value="">Choose your medical school</option>
            {institutions.map((i) => (
              <option key={i.value} value={i.value}>
                {i.label}
              </option>
            ))}
          </select>
        </div>
      ) : null}

      <section className="section callout" aria-labelledby="su-support-before">
        <h2 id="su-support-before">Support, whenever you need it</h2>
        <p>You can talk to someone now, whether or not you report. If you are in danger, call 999.</p>
        {!chosen ? (
          <p>Choose your medical school to see its support contacts.</p>
        ) : support.loading ? (
          <Loading what="Loading support contacts" />
        ) : support.error ? (
          <LoadError message={support.error} retry={support.reload} />
        ) : (
          <SupportList contacts={support.data ?? []} headingId="su-support-before" />
        )}
      </section>

      <section className="section" aria-labelledby="su-anon-heading">
        <h2 id="su-anon-heading">Anonymous or named</h2>
        <p>
          Reports are anonymous unless you choose otherwise: we do not record your name, account, IP address
          or device. Anonymous reports mainly show patterns (which placements, how often) and make change
          happen that way; they may limit formal action against a particular person, because that person has a
          right to respond. You get a receipt code to follow your report and talk to the case handler
          anonymously.
        </p>
        {signedIn ? (
          <p>
            Your earlier named reports are under <Link href="/report/mine">My reports</Link>.
          </p>
        ) : (
          <p>
            To make a named report, <Link href="/sign-in?next=%2Freport">sign in</Link> first.
          </p>
        )}
      </section>

      {settingUp ? (
        <section className="section callout" aria-labelledby="su-setting-up">
          <h2 id="su-setting-up">This school is still setting up</h2>
          <p>
            Your medical school is still setting up its speak-up service, so it cannot take reports here yet:
            nobody is ready to read them. Nothing you write is sent.
          </p>
          <p>
            Meanwhile: if you are in danger, call 999; for urgent medical help, call 111. The support contacts
            above can help now, and so can your personal tutor or student support. You can also talk to your
            network’s co-chairs.
          </p>
        </section>
      ) : null}

      <form noValidate onSubmit={onSubmit} aria-labelledby="su-form-heading" hidden={settingUp}>
        <h2 id="su-form-heading" className="form-heading">
          Your report
        </h2>
        <ErrorSummary form={form} />

        {signedIn ? (
          <ChoiceGroup
            form={form}
            name="identity"
            legend="Send this report"
            type="radio"
            value={identity}
            onChange={setIdentity}
            options={[
              { value: 'anonymous', label: 'Anonymously', hint: 'Your name is not attached to it.' },
              {
                value: 'named',
                label: 'With my name',
                hint: 'Only the trained case handlers of your school see who you are. Leads and admins never do.',
              },
            ]}
          />
        ) : null}

        <TextAreaField
          form={form}
          name="whatHappened"
          label="What happened?"
          hint="In your own words. Include what was said or done, if you can. You can add more later."
          rows={8}
          maxLength={SpeakUpLimits.whatHappenedMax}
        />

        <ChoiceGroup
          form={form}
          name="when"
          legend="When did it happen?"
          type="radio"
          value={whenKind}
          onChange={setWhenKind}
          options={[
            { value: 'date', label: 'On a date' },
            { value: 'range', label: 'Between two dates' },
            { value: 'not_sure', label: 'I am not sure' },
          ]}
        />
        <div hidden={whenKind !== 'date'}>
          <TextField form={form} name="when.date" label="Date" type="date" />
        </div>
        <div hidden={whenKind !== 'range'}>
          <div className="field-row">
            <TextField form={form} name="when.from" label="From" type="date" />
            <TextField form={form} name="when.to" label="To" type="date" />
          </div>
        </div>
        <div hidden={whenKind !== 'not_sure'}>
          <TextField
            form={form}
            name="when.note"
            label="Roughly when (optional)"
            hint="For example: “the second week of my surgery placement”."
          />
        </div>

        <ChoiceGroup
          form={form}
          name="where"
          legend="Where did it happen?"
          type="radio"
          value={setting}
          onChange={setSetting}
          options={[
            { value: 'placement', label: 'On placement' },
            { value: 'campus', label: 'On campus' },
          ]}
        />
        <div hidden={setting !== 'campus'}>
          <TextField
            form={form}
            name="where.location"
            label="Where on campus"
            hint="A building or room is enough."
          />
        </div>
        <div hidden={setting !== 'placement'}>
          <SelectField
            form={form}
            name="where.providerId"
            label="Placement provider"
            hint="The hospital trust or practice. If it is not listed, choose “Not listed” and type its name."
            options={[
              { value: '', label: 'Not listed' },
              ...(providers.data ?? []).map((p) => ({ value: p.id, label: p.name })),
            ]}
          />
          <TextField form={form} name="where.providerOther" label="Provider’s name, if not listed" />
          <TextField
            form={form}
            name="where.site"
            label="Site (optional)"
            hint="For example, the hospital."
          />
          <TextField form={form} name="where.department" label="Department or ward (optional)" />
        </div>

        <ChoiceGroup
          form={form}
          name="who.roles"
          legend="Who was involved?"
          hint="Choose every role that applies."
          type="checkbox"
          options={InvolvedRole.options.map((r) => ({ value: r, label: roleLabels[r] ?? r }))}
        />
        <TextField form={form} name="who.otherRole" label="Their role, if “someone else” (optional)" />
        <TextAreaField
          form={form}
          name="who.names"
          label="Names (optional)"
          hint="Names are never required. A report without names still counts."
          rows={2}
        />

        <ChoiceGroup
          form={form}
          name="involvement"
          legend="Was it directed at you?"
          type="radio"
          defaultValues={[]}
          options={[
            { value: 'directed_at_me', label: 'It was directed at me' },
            { value: 'witnessed', label: 'I saw it happen to someone else' },
          ]}
        />

        <TextAreaField
          form={form}
          name="effect"
          label="How has it affected you? (optional)"
          rows={3}
          maxLength={SpeakUpLimits.effectMax}
        />

        <ChoiceGroup
          form={form}
          name="outcomeWanted"
          legend="What would you like to happen?"
          hint="You can change your mind later by messaging the case handler."
          type="radio"
          options={OutcomeWanted.options.map((o) => ({
            value: o,
            label: outcomeWantedLabels[o]!.label,
            hint: outcomeWantedLabels[o]!.hint,
          }))}
        />

        <Field
          form={form}
          name="assessmentProtection"
          className="field-checkbox"
          label="The person involved assesses or supervises me"
          hint="For example, they sign off your placement. The case handler will arrange for someone else to assess you."
        >
          {(props) => <input {...props} type="checkbox" />}
        </Field>

        {signedIn && identity === 'named' ? (
          <Field
            form={form}
            name="consentToContact"
            className="field-checkbox"
            label="The case handler may contact me by e-mail"
          >
            {(props) => <input {...props} type="checkbox" />}
          </Field>
        ) : null}

        <details className="su-details">
          <summary>Only act on this if someone else reports the same person</summary>
          <p className="field-hint">
            If you are not ready for anything to happen yet, your report can be held. It is not handled as a
            case unless a different person reports the same person, or the same site, role and month. Then a
            trained case handler reviews both reports and decides what to do, and may write to you first.
            Nobody, including you, is told whether a match has happened. The name you give here is never
            stored in a readable form: only a scrambled fingerprint that can be compared, not read back.
          </p>
          {signedIn ? (
            <>
              <p className="field-hint">
                This needs your account, only to count different people (it is stored as a scrambled
                fingerprint and never shown). Your report stays anonymous to the case handlers unless you
                chose a named report above. You can have up to 3 reports held at once.
              </p>
              <Field form={form} name="matching" className="field-checkbox" label="Hold my report until then">
                {(props) => (
                  <input
                    {...props}
                    type="checkbox"
                    checked={hold}
                    onChange={(e) => setHold(e.target.checked)}
                  />
                )}
              </Field>
            </>
          ) : (
            <p>
              To hold a report for a match, <Link href="/sign-in?next=%2Freport">sign in</Link> first: it is
              only for members of the school. Your report can still be anonymous to the case handlers.
            </p>
          )}
          <div hidden={!hold}>
            <TextField
              form={form}
              name="matching.person"
              label="The person’s name"
              hint="As you know it; titles, capitals and accents do not matter. Give the name, or the site, role and month below, or both."
              autoComplete="off"
            />
            <fieldset className="field su-choices">
              <legend>Or where and when (all three)</legend>
              <TextField form={form} name="matching.context.site" label="Site or ward" autoComplete="off" />
              <SelectField
                form={form}
                name="matching.context.role"
                label="Their role"
                options={[
                  { value: '', label: 'Choose…' },
                  ...InvolvedRole.options.map((r) => ({ value: r, label: roleLabels[r] ?? r })),
                ]}
              />
              <TextField
                form={form}
                name="matching.context.month"
                label="Month"
                hint="For example, 2026-03."
                type="month"
              />
            </fieldset>
            <ChoiceGroup
              form={form}
              name="matching.onExpiry"
              legend={`If a case handler has not taken it up within ${MATCHING_HOLD_MONTHS} months`}
              type="radio"
              defaultValues={['delete']}
              options={[
                { value: 'delete', label: 'Delete my report', hint: 'No case handler ever sees it.' },
                {
                  value: 'release',
                  label: 'Pass it to the case handlers then',
                  hint: 'It is handled like any other report from then on.',
                },
              ]}
            />
          </div>
        </details>

        <details className="su-details">
          <summary>Equality questions (optional)</summary>
          <p className="field-hint">
            These help show who is affected. They are stored apart from your report and cannot be linked to
            it.
          </p>
          <SelectField
            form={form}
            name="equality.ethnicity"
            label="Your ethnic group"
            options={ethnicityOptions}
          />
          <SelectField form={form} name="equality.religion" label="Your religion" options={religionOptions} />
        </details>

        <SubmitButton form={form}>{form.busy ? 'Sending…' : 'Send report'}</SubmitButton>
      </form>
    </Page>
  );
}

function ReceiptPage({ submitted, institutionId }: { submitted: Submitted; institutionId: string }) {
  const support = useLoad<SupportContact[]>(`/api/speak-up/institutions/${seg(institutionId)}/support`);
  return (
    <Page title="Report sent" lead="Thank you for telling us. A trained case handler will read it.">
      <ReceiptCodeSection
        code={submitted.receipt}
        headingId="su-receipt-heading"
        warning="Anyone with it can read your report, so keep it private."
      >
        <p>
          Reference number: <strong data-testid="reference">{submitted.reference}</strong>. The reference is
          not secret and cannot open your report; the receipt code can.
        </p>
        <p>
          With the code you can see what happens, read replies and add information at{' '}
          <Link href="/report/follow-up">Follow up a report</Link>
          {submitted.named ? (
            <>
              , or, as you gave your name, under <Link href="/report/mine">My reports</Link> when signed in
            </>
          ) : null}
          .
        </p>
      </ReceiptCodeSection>
      <section className="section callout" aria-labelledby="su-support-after">
        <h2 id="su-support-after">Support</h2>
        {support.loading ? (
          <Loading what="Loading support contacts" />
        ) : support.error ? (
          <LoadError message={support.error} retry={support.reload} />
        ) : (
          <SupportList contacts={support.data ?? []} headingId="su-support-after" />
        )}
      </section>
    </Page>
  );
}
