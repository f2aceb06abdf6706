import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { z } from 'zod';
import {
  type ConcernCreated,
  ConcernCreateSchema,
  ConcernLimits,
  type SimilarConcernsSchema,
} from '../../../shared/concerns/schema';
import { api, seg } from '../../app/api';
import {
  ChoiceGroup,
  ErrorSummary,
  SelectField,
  SubmitButton,
  TextAreaField,
  TextField,
  useForm,
} from '../../app/forms';
import { Page } from '../../app/page';
import { rolesOf, useSession } from '../../app/session';
import { type NetworkDetail, ReceiptCode, WithNetwork } from './common';
import { categoryOptions, concernStatusLabels } from './labels';
import { SupportButton } from './support';

/**
 * `/networks/:slug/concerns/new`: raise a concern. While the title is typed, similar open concerns
 * are suggested (supporting one is often better than a second). A fully anonymous concern gets a
 * receipt code, shown once.
 */

type Similar = z.infer<typeof SimilarConcernsSchema>;

const FIELDS = ['title', 'description', 'category', 'moduleRef', 'placementSite', 'visibility'] as const;

const visibilityChoices = [
  {
    value: 'named',
    label: 'With my name',
    hint: 'Everyone in the network sees that you raised it.',
  },
  {
    value: 'anonymous_to_members',
    label: 'Anonymous to other members',
    hint: 'Members see “raised anonymously”. The co-chairs and leads can see it was you, so they can follow up with you, and you are told about updates.',
  },
  {
    value: 'anonymous',
    label: 'Fully anonymous',
    hint: 'Nobody, not even the co-chairs, can tell it was you. You get a receipt code to follow it; updates are not sent to you.',
  },
];

export function RaiseConcernPage({ slug }: { slug: string }) {
  const [receipt, setReceipt] = useState<{ created: ConcernCreated; network: NetworkDetail } | null>(null);
  if (receipt) return <ReceiptPage created={receipt.created} network={receipt.network} />;
  return (
    <WithNetwork slug={slug} title="Raise a concern">
      {(network) => <RaiseForm network={network} onReceipt={(created) => setReceipt({ created, network })} />}
    </WithNetwork>
  );
}

function RaiseForm({
  network,
  onReceipt,
}: {
  network: NetworkDetail;
  onReceipt: (created: ConcernCreated) => void;
}) {
  const { session, showNotice } = useSession();
  const [, navigate] = useLocation();
  const member = rolesOf(session).signedIn && network.viewer.isMember;
  const [visibility, setVisibility] = useState(member ? 'anonymous_to_members' : 'anonymous');
  const [title, setTitle] = useState('');
  const form = useForm(FIELDS);
  const similar = useSimilar(member ? network.id : null, title);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '');
    const raw = {
      title: text('title'),
      description: text('description'),
      category: text('category') || undefined,
      moduleRef: text('moduleRef'),
      placementSite: text('placementSite'),
      visibility: member ? visibility : 'anonymous',
    };
    void form.submit(ConcernCreateSchema, raw, async (body) => {
      const created = await api.post<ConcernCreated>(`/api/networks/${seg(network.id)}/concerns`, body);
      if (created.receipt) {
        onReceipt(created);
        return;
      }
      const path = `/concerns/${created.id}`;
      navigate(path);
      showNotice(`Your concern #${created.number} was raised. The co-chairs will answer it.`, path);
    });
  }

  return (
    <Page
      title="Raise a concern"
      lead={`Tell ${network.name} about something that should change: in teaching, on placement, in a policy, uniform or facilities, in assessment or in the culture. The co-chairs answer every concern.`}
    >
      {member ? null : (
        <section className="section callout" aria-labelledby="cn-visitor">
          <h2 id="cn-visitor">Raising a concern without an account</h2>
          <p>
            Some networks accept concerns from people without an account. Yours will be fully anonymous, and
            you get a receipt code to follow it. If this network does not accept them, you will be told when
            you send it, and nothing is kept.
          </p>
          {rolesOf(session).signedIn ? null : (
            <p>
              Are you a member?{' '}
              <Link href={`/sign-in?next=${encodeURIComponent(`/networks/${network.slug}/concerns/new`)}`}>
                Sign in
              </Link>{' '}
              to raise it with more choices.
            </p>
          )}
        </section>
      )}
      <form noValidate onSubmit={onSubmit} aria-labelledby="cn-raise-heading">
        <h2 id="cn-raise-heading" className="form-heading">
          Your concern
        </h2>
        <ErrorSummary form={form} />
        <TextField
          form={form}
          name="title"
          label="Title"
          hint="One line that says what should change, for example “Theatre headwear for braids and locs”."
          maxLength={ConcernLimits.titleMax}
          autoComplete="off"
          onChange={(e) => setTitle(e.target.value)}
        />
        {similar.length ? (
          <section className="cn-similar" aria-labelledby="cn-similar-heading">
            <h3 id="cn-similar-heading">Similar concerns already raised</h3>
            <p className="small">
              If one of these is the same, supporting it adds your voice and keeps the discussion in one
              place.
            </p>
            <ul className="plain-list">
              {similar.map((s) => (
                <li key={s.id} className="cn-similar-item">
                  <Link href={`/concerns/${s.id}`}>
                    #{s.number} {s.title}
                  </Link>{' '}
                  <span className="small muted">({concernStatusLabels[s.status]})</span>
                  <SupportButton
                    concernId={s.id}
                    title={`#${s.number}`}
                    label="Support this instead"
                    initial={{ supportCount: s.supportCount, supportedByMe: false }}
                  />
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <TextAreaField
          form={form}
          name="description"
          label="What is the problem, and what would help?"
          hint="Say what happens, who it affects and, if you have one, what you would like to change. Do not name individuals: to report something that happened to you, use Report instead."
          rows={7}
          maxLength={ConcernLimits.descriptionMax}
        />
        <SelectField
          form={form}
          name="category"
          label="Category"
          options={[{ value: '', label: 'Choose a category' }, ...categoryOptions]}
        />
        <TextField
          form={form}
          name="moduleRef"
          label="Teaching module (optional)"
          hint="For example, “Year 2 dermatology”."
          maxLength={ConcernLimits.refMax}
        />
        <TextField
          form={form}
          name="placementSite"
          label="Placement site (optional)"
          hint="For example, “Royal Infirmary, theatres”."
          maxLength={ConcernLimits.refMax}
        />
        {member ? (
          <ChoiceGroup
            form={form}
            name="visibility"
            legend="Who may see that you raised it?"
            type="radio"
            value={visibility}
            onChange={setVisibility}
            options={visibilityChoices}
          />
        ) : null}
        <SubmitButton form={form}>{form.busy ? 'Sending…' : 'Raise this concern'}</SubmitButton>
      </form>
    </Page>
  );
}

/** Similar open concerns for a title being typed: asked for after a pause in typing. */
function useSimilar(networkId: string | null, title: string): Similar {
  const [found, setFound] = useState<Similar>([]);
  const q = title.trim();
  useEffect(() => {
    if (!networkId || q.length < 3) {
      setFound([]);
      return;
    }
    let live = true;
    const timer = window.setTimeout(() => {
      api
        .get<Similar>(`/api/networks/${seg(networkId)}/concerns/similar?q=${encodeURIComponent(q)}`)
        .then((list) => live && setFound(list))
        .catch(() => live && setFound([]));
    }, 400);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [networkId, q]);
  return found;
}

function ReceiptPage({ created, network }: { created: ConcernCreated; network: NetworkDetail }) {
  return (
    <Page
      title="Concern raised"
      lead={`Thank you. Concern #${created.number} is with ${network.name}; the co-chairs will answer it.`}
    >
      <ReceiptCode code={created.receipt ?? ''} headingId="cn-receipt-heading" />
      <p>
        With the code you can see its status and the co-chairs’ answer at{' '}
        <Link href="/concerns/follow">Follow a concern</Link>.
      </p>
      <p>
        <Link href="/impact">See what the networks have changed so far</Link>
      </p>
    </Page>
  );
}
