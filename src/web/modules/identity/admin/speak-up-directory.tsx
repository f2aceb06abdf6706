import { useState } from 'react';
import { Link, useParams } from 'wouter';
import type { z } from 'zod';
import {
  type DirectoryAdminSchema,
  PlacementProviderCreateSchema,
  type ReadinessSchema,
  SupportContactCreateSchema,
} from '../../../../shared/speak-up/schema';
import { ApiFailure, api, seg } from '../../../app/api';
import {
  ErrorSummary,
  Field,
  formValues,
  SelectField,
  StatusMessage,
  SubmitButton,
  stringOrNull,
  TextAreaField,
  TextField,
  useForm,
} from '../../../app/forms';
import { LoadError, useLoad } from '../../../app/load';
import { Loading } from '../../../app/page';
import { AdminPage } from './admin-page';

type Directory = z.infer<typeof DirectoryAdminSchema> & { readiness: z.infer<typeof ReadinessSchema> };
type Contact = Directory['supportContacts'][number];
type Provider = Directory['placementProviders'][number];

const KIND_OPTIONS = [
  { value: 'wellbeing', label: 'Wellbeing or counselling' },
  { value: 'chaplaincy', label: 'Chaplaincy' },
  { value: 'bma', label: 'BMA or a union' },
  { value: 'ftsu_guardian', label: 'Freedom to Speak Up Guardian' },
  { value: 'police_hate_crime', label: 'Police or hate crime reporting' },
  { value: 'other', label: 'Other' },
];

const contactFields = ['kind', 'name', 'description', 'phone', 'url', 'urgent'] as const;

/** The form's strings as a contact: empty phone and address are none; the box is the urgent flag. */
function contactBody(values: Record<string, string>) {
  return {
    kind: values.kind,
    name: values.name,
    description: values.description ?? '',
    phone: stringOrNull(values.phone),
    url: stringOrNull(values.url),
    urgent: values.urgent === 'yes',
  };
}

/** A new order with one entry moved up (-1) or down (+1). */
function moved<T extends { id: string }>(list: T[], index: number, by: -1 | 1): string[] {
  const ids = list.map((e) => e.id);
  const [item] = ids.splice(index, 1);
  ids.splice(index + by, 0, item!);
  return ids;
}

/** `/admin/institutions/:id/speak-up`: the school's support contacts and placement providers. */
export function SpeakUpDirectoryPage() {
  const { id = '' } = useParams<{ id: string }>();
  const data = useLoad<Directory>(`/api/admin/institutions/${seg(id)}/speak-up`);
  const [status, setStatus] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const changed = (message: string) => {
    setProblem(null);
    setStatus(message);
    data.reload();
  };
  /** A list action (move, retire): the answer replaces any earlier message. */
  const act = async (work: () => Promise<unknown>, message: string) => {
    setStatus(null);
    try {
      await work();
      changed(message);
    } catch (error) {
      setProblem(error instanceof ApiFailure ? error.message : 'That did not work. Please try again.');
    }
  };

  const current = <T extends { retiredAt: string | null }>(list: T[]) => list.filter((e) => !e.retiredAt);
  const retired = <T extends { retiredAt: string | null }>(list: T[]) => list.filter((e) => e.retiredAt);

  return (
    <AdminPage title="Support contacts and placement providers">
      <p>
        <Link href="/admin/institutions">Back to institutions and networks</Link>
      </p>
      <StatusMessage message={status} />
      {problem ? (
        <div role="alert" className="error-summary">
          <p>{problem}</p>
        </div>
      ) : null}
      {data.error ? <LoadError message={data.error} retry={data.reload} /> : null}
      {!data.data && !data.error ? <Loading what="Loading support contacts and providers" /> : null}
      {data.data ? (
        <>
          <Readiness readiness={data.data.readiness} />
          <section className="section" aria-labelledby="support-contacts">
            <h2 id="support-contacts">Support contacts</h2>
            <p>
              Shown to everyone before and after they report. Include at least one urgent contact for any hour
              (999/111, the university’s out-of-hours line).
            </p>
            {current(data.data.supportContacts).length === 0 ? <p>No support contacts yet.</p> : null}
            <ul className="card-list">
              {current(data.data.supportContacts).map((c, index, list) => (
                <ContactRow
                  key={c.id}
                  contact={c}
                  institutionId={id}
                  first={index === 0}
                  last={index === list.length - 1}
                  onMove={(by) =>
                    act(
                      () =>
                        api.put(`/api/admin/institutions/${seg(id)}/support-order`, {
                          ids: moved(list, index, by),
                        }),
                      `${c.name} moved ${by < 0 ? 'up' : 'down'}.`,
                    )
                  }
                  onRetire={() =>
                    act(
                      () => api.delete(`/api/admin/institutions/${seg(id)}/support/${seg(c.id)}`),
                      `${c.name} has been retired.`,
                    )
                  }
                  onSaved={changed}
                />
              ))}
            </ul>
            {retired(data.data.supportContacts).length ? (
              <p className="muted">
                Retired:{' '}
                {retired(data.data.supportContacts)
                  .map((c) => c.name)
                  .join(', ')}
              </p>
            ) : null}
            <AddContact institutionId={id} onAdded={changed} />
          </section>
          <section className="section" aria-labelledby="placement-providers">
            <h2 id="placement-providers">Placement providers</h2>
            <p>
              The NHS trusts and practices where students are placed: reporters choose from this list. A
              retired provider leaves the list but stays on the reports that name it.
            </p>
            {current(data.data.placementProviders).length === 0 ? <p>No placement providers yet.</p> : null}
            <ul className="card-list">
              {current(data.data.placementProviders).map((p, index, list) => (
                <ProviderRow
                  key={p.id}
                  provider={p}
                  institutionId={id}
                  first={index === 0}
                  last={index === list.length - 1}
                  onMove={(by) =>
                    act(
                      () =>
                        api.put(`/api/admin/institutions/${seg(id)}/placement-provider-order`, {
                          ids: moved(list, index, by),
                        }),
                      `${p.name} moved ${by < 0 ? 'up' : 'down'}.`,
                    )
                  }
                  onRetire={() =>
                    act(
                      () => api.delete(`/api/admin/institutions/${seg(id)}/placement-providers/${seg(p.id)}`),
                      `${p.name} has been retired.`,
                    )
                  }
                  onSaved={changed}
                />
              ))}
            </ul>
            {retired(data.data.placementProviders).length ? (
              <p className="muted">
                Retired:{' '}
                {retired(data.data.placementProviders)
                  .map((p) => p.name)
                  .join(', ')}
              </p>
            ) : null}
            <AddProvider institutionId={id} onAdded={changed} />
            <div className="field-checkbox">
              <input
                type="checkbox"
                id="no-providers"
                checked={data.data.noPlacementProviders}
                onChange={(e) => {
                  const none = e.currentTarget.checked;
                  void act(
                    () =>
                      api.put(`/api/admin/institutions/${seg(id)}/no-placement-providers`, {
                        noPlacementProviders: none,
                      }),
                    none
                      ? 'Recorded: this school has no placement providers.'
                      : 'Taken back: this school has placement providers.',
                  );
                }}
              />
              <label htmlFor="no-providers">This school has no placement providers</label>
            </div>
          </section>
        </>
      ) : null}
    </AdminPage>
  );
}

function Readiness({ readiness }: { readiness: Directory['readiness'] }) {
  if (readiness.open) {
    return <p className="notice">This school takes reports: its report form is open.</p>;
  }
  const missing = [
    readiness.caseHandler ? null : 'a case handler who has set up two-factor authentication',
    readiness.supportContact ? null : 'a support contact',
    readiness.urgentContact ? null : 'an urgent support contact',
    readiness.placementProviders
      ? null
      : 'its placement providers (or “this school has no placement providers”)',
  ].filter((m): m is string => m !== null);
  return (
    <div className="callout">
      <p>The report form is closed until this school has:</p>
      <ul>
        {missing.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </div>
  );
}

function MoveButtons({
  name,
  first,
  last,
  onMove,
}: {
  name: string;
  first: boolean;
  last: boolean;
  onMove: (by: -1 | 1) => void;
}) {
  return (
    <>
      {first ? null : (
        <button type="button" className="button button-secondary button-small" onClick={() => onMove(-1)}>
          Move up<span className="vh"> {name}</span>
        </button>
      )}
      {last ? null : (
        <button type="button" className="button button-secondary button-small" onClick={() => onMove(1)}>
          Move down<span className="vh"> {name}</span>
        </button>
      )}
    </>
  );
}

function ContactFields({ form, contact }: { form: ReturnType<typeof useForm>; contact?: Contact }) {
  return (
    <>
      <SelectField
        form={form}
        name="kind"
        label="Kind"
        options={KIND_OPTIONS}
        defaultValue={contact?.kind ?? 'wellbeing'}
      />
      <TextField form={form} name="name" label="Name" defaultValue={contact?.name} autoComplete="off" />
      <TextAreaField
        form={form}
        name="description"
        label="What they offer, and when"
        rows={3}
        defaultValue={contact?.description}
      />
      <TextField
        form={form}
        name="phone"
        label="Telephone (optional)"
        defaultValue={contact?.phone ?? ''}
        inputMode="tel"
        autoComplete="off"
      />
      <TextField
        form={form}
        name="url"
        label="Web address (optional)"
        defaultValue={contact?.url ?? ''}
        hint="Starting https://"
        autoComplete="off"
        spellCheck={false}
      />
      <Field
        form={form}
        name="urgent"
        label="Urgent: help at any hour"
        className="field-checkbox"
        hint="E.g. 999/111 or the university’s out-of-hours line."
      >
        {(props) => (
          <input {...props} type="checkbox" value="yes" defaultChecked={contact?.urgent ?? false} />
        )}
      </Field>
    </>
  );
}

function ContactRow({
  contact,
  institutionId,
  first,
  last,
  onMove,
  onRetire,
  onSaved,
}: {
  contact: Contact;
  institutionId: string;
  first: boolean;
  last: boolean;
  onMove: (by: -1 | 1) => void;
  onRetire: () => void;
  onSaved: (message: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const form = useForm(contactFields);
  const panelId = `${form.baseId}-panel`;
  return (
    <li className="card">
      <p className="card-title">
        {contact.name}
        {contact.urgent ? <span className="muted small"> (urgent)</span> : null}
      </p>
      {contact.phone ? <p className="muted">{contact.phone}</p> : null}
      <div className="actions">
        <button
          type="button"
          className="button button-secondary button-small"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen(!open)}
        >
          Edit<span className="vh"> {contact.name}</span>
        </button>
        <MoveButtons name={contact.name} first={first} last={last} onMove={onMove} />
        <button type="button" className="button button-secondary button-small" onClick={onRetire}>
          Retire<span className="vh"> {contact.name}</span>
        </button>
      </div>
      <div id={panelId} hidden={!open}>
        {open ? (
          <form
            noValidate
            aria-label={`Edit ${contact.name}`}
            onSubmit={(event) => {
              const body = contactBody(formValues(event));
              void form.submit(SupportContactCreateSchema, body, async (valid) => {
                await api.put(
                  `/api/admin/institutions/${seg(institutionId)}/support/${seg(contact.id)}`,
                  valid,
                );
                setOpen(false);
                onSaved(`${valid.name} has been saved.`);
              });
            }}
          >
            <ErrorSummary form={form} />
            <ContactFields form={form} contact={contact} />
            <SubmitButton form={form}>Save</SubmitButton>
          </form>
        ) : null}
      </div>
    </li>
  );
}

function AddContact({ institutionId, onAdded }: { institutionId: string; onAdded: (m: string) => void }) {
  const form = useForm(contactFields);
  return (
    <form
      noValidate
      aria-labelledby="add-contact"
      onSubmit={(event) => {
        const element = event.currentTarget;
        const body = contactBody(formValues(event));
        void form.submit(SupportContactCreateSchema, body, async (valid) => {
          await api.post(`/api/speak-up/institutions/${seg(institutionId)}/support`, valid);
          element.reset();
          onAdded(`${valid.name} has been added.`);
        });
      }}
    >
      <h3 id="add-contact">Add a support contact</h3>
      <ErrorSummary form={form} />
      <ContactFields form={form} />
      <SubmitButton form={form}>Add support contact</SubmitButton>
    </form>
  );
}

function ProviderRow({
  provider,
  institutionId,
  first,
  last,
  onMove,
  onRetire,
  onSaved,
}: {
  provider: Provider;
  institutionId: string;
  first: boolean;
  last: boolean;
  onMove: (by: -1 | 1) => void;
  onRetire: () => void;
  onSaved: (message: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const form = useForm(['name']);
  const panelId = `${form.baseId}-panel`;
  return (
    <li className="card">
      <p className="card-title">{provider.name}</p>
      <div className="actions">
        <button
          type="button"
          className="button button-secondary button-small"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen(!open)}
        >
          Rename<span className="vh"> {provider.name}</span>
        </button>
        <MoveButtons name={provider.name} first={first} last={last} onMove={onMove} />
        <button type="button" className="button button-secondary button-small" onClick={onRetire}>
          Retire<span className="vh"> {provider.name}</span>
        </button>
      </div>
      <div id={panelId} hidden={!open}>
        {open ? (
          <form
            noValidate
            aria-label={`Rename ${provider.name}`}
            onSubmit={(event) => {
              void form.submit(PlacementProviderCreateSchema, formValues(event), async (valid) => {
                await api.put(
                  `/api/admin/institutions/${seg(institutionId)}/placement-providers/${seg(provider.id)}`,
                  valid,
                );
                setOpen(false);
                onSaved(`${valid.name} has been saved.`);
              });
            }}
          >
            <ErrorSummary form={form} />
            <TextField form={form} name="name" label="Name" defaultValue={provider.name} autoComplete="off" />
            <SubmitButton form={form}>Save</SubmitButton>
          </form>
        ) : null}
      </div>
    </li>
  );
}

function AddProvider({ institutionId, onAdded }: { institutionId: string; onAdded: (m: string) => void }) {
  const form = useForm(['name']);
  return (
    <form
      noValidate
      aria-labelledby="add-provider"
      onSubmit={(event) => {
        const element = event.currentTarget;
        void form.submit(PlacementProviderCreateSchema, formValues(event), async (valid) => {
          await api.post(`/api/speak-up/institutions/${seg(institutionId)}/placement-providers`, valid);
          element.reset();
          onAdded(`${valid.name} has been added.`);
        });
      }}
    >
      <h3 id="add-provider">Add a placement provider</h3>
      <ErrorSummary form={form} />
      <TextField
        form={form}
        name="name"
        label="Name"
        hint="E.g. Northfield Teaching Hospitals NHS Trust"
        autoComplete="off"
      />
      <SubmitButton form={form}>Add placement provider</SubmitButton>
    </form>
  );
}
