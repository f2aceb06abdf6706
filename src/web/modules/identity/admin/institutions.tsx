import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import type { z } from 'zod';
import {
  InstitutionCreateSchema,
  type InstitutionSchema,
  Limits,
  NetworkCreateSchema,
  type NetworkSummarySchema,
  NetworkUpdateSchema,
} from '../../../../shared/identity/schema';
import { api, seg } from '../../../app/api';
import {
  ErrorSummary,
  formValues,
  SelectField,
  StatusMessage,
  SubmitButton,
  TextAreaField,
  TextField,
  useForm,
} from '../../../app/forms';
import { LoadError, useLoad } from '../../../app/load';
import { Loading } from '../../../app/page';
import { AddForm } from './add-form';
import { AdminPage } from './admin-page';

export type Institution = z.infer<typeof InstitutionSchema>;
export type NetworkSummary = z.infer<typeof NetworkSummarySchema>;

/** 'St George’s, London' → 'st-georges-london' (a suggestion; the admin can change it). */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, Limits.slugMax);
}

/**
 * Suggests the "slug" input of the same form from the name as it is typed, until the admin edits
 * the slug themselves (emptying it hands it back to the suggestion).
 */
function suggestSlug(event: FormEvent<HTMLInputElement>) {
  const slug = event.currentTarget.form?.elements.namedItem('slug');
  if (slug instanceof HTMLInputElement && slug.dataset.edited !== 'yes') {
    slug.value = slugify(event.currentTarget.value);
  }
}
/** Marks the slug as the admin's own once they type in it. */
function slugEdited(event: FormEvent<HTMLInputElement>) {
  event.currentTarget.dataset.edited = event.currentTarget.value ? 'yes' : '';
}

const slugHint = 'Used in web addresses: lower-case letters, digits and hyphens, e.g. medrace.';

/** `/admin/institutions`: institutions, their networks, and forms to add and edit them. */
export function InstitutionsPage() {
  const institutions = useLoad<Institution[]>('/api/admin/institutions');
  const networks = useLoad<NetworkSummary[]>('/api/networks');
  const [status, setStatus] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  /** The institution added last: "Add a network" starts with it. */
  const [lastInstitution, setLastInstitution] = useState<string | null>(null);
  const changed = (message: string) => {
    setStatus(message);
    setVersion((v) => v + 1);
    institutions.reload();
    networks.reload();
  };

  return (
    <AdminPage title="Institutions and networks">
      <StatusMessage message={status} />
      {institutions.error ? <LoadError message={institutions.error} retry={institutions.reload} /> : null}
      {networks.error ? <LoadError message={networks.error} retry={networks.reload} /> : null}
      {!institutions.data && !institutions.error ? <Loading what="Loading institutions" /> : null}
      {institutions.data ? (
        <section className="section">
          <h2 id="list-heading">Institutions</h2>
          {institutions.data.length === 0 ? <p>No institutions yet. Add the first one below.</p> : null}
          <ul className="card-list">
            {institutions.data.map((inst) => {
              const own = (networks.data ?? []).filter((n) => n.institutionId === inst.id);
              return (
                <li key={inst.id} className="card">
                  <h3 className="card-heading">{inst.name}</h3>
                  <p className="muted">
                    {inst.slug} · {inst.networkCount} {inst.networkCount === 1 ? 'network' : 'networks'}
                  </p>
                  {own.length ? (
                    <ul className="plain-list">
                      {own.map((n) => (
                        <NetworkRow key={n.id} network={n} onChanged={changed} />
                      ))}
                    </ul>
                  ) : null}
                  <SetUpChecklist key={version} institution={inst} />
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}
      <AddInstitution
        onAdded={(message, name) => {
          setLastInstitution(name);
          changed(message);
        }}
      />
      {institutions.data?.length ? (
        <AddNetwork
          key={lastInstitution ?? ''}
          institutions={institutions.data}
          defaultInstitutionId={institutions.data.find((i) => i.name === lastInstitution)?.id}
          onAdded={changed}
        />
      ) : null}
    </AdminPage>
  );
}

function NetworkRow({ network, onChanged }: { network: NetworkSummary; onChanged: (m: string) => void }) {
  const [open, setOpen] = useState(false);
  const form = useForm(['name', 'description']);
  const panelId = `${form.baseId}-panel`;
  return (
    <li className="network-row">
      <div className="row-line">
        <Link href={`/networks/${network.slug}`}>{network.name}</Link>
        <span className="muted small">
          {network.memberCount} {network.memberCount === 1 ? 'member' : 'members'}
        </span>
        <button
          type="button"
          className="button button-secondary button-small"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen(!open)}
        >
          Edit<span className="vh"> {network.name}</span>
        </button>
      </div>
      <div id={panelId} hidden={!open}>
        {open ? (
          <form
            noValidate
            aria-label={`Edit ${network.name}`}
            onSubmit={(event) => {
              const values = formValues(event);
              void form.submit(NetworkUpdateSchema, values, async (body) => {
                await api.patch(`/api/admin/networks/${seg(network.id)}`, body);
                setOpen(false);
                onChanged(`${body.name ?? network.name} has been saved.`);
              });
            }}
          >
            <ErrorSummary form={form} />
            <TextField form={form} name="name" label="Name" defaultValue={network.name} autoComplete="off" />
            <TextAreaField
              form={form}
              name="description"
              label="Description"
              rows={4}
              defaultValue={network.description}
            />
            <SubmitButton form={form}>Save</SubmitButton>
          </form>
        ) : null}
      </div>
    </li>
  );
}

function AddInstitution({ onAdded }: { onAdded: (m: string, name: string) => void }) {
  const form = useForm(['name', 'slug']);
  return (
    <AddForm
      form={form}
      title="Add an institution"
      schema={InstitutionCreateSchema}
      url="/api/admin/institutions"
      onAdded={onAdded}
    >
      <TextField
        form={form}
        name="name"
        label="Name"
        hint="E.g. University of Leicester Medical School"
        autoComplete="off"
        onInput={suggestSlug}
      />
      <TextField
        form={form}
        name="slug"
        label="Slug"
        hint={slugHint}
        autoComplete="off"
        spellCheck={false}
        onInput={slugEdited}
      />
      <SubmitButton form={form}>Add institution</SubmitButton>
    </AddForm>
  );
}

function AddNetwork({
  institutions,
  defaultInstitutionId,
  onAdded,
}: {
  institutions: Institution[];
  defaultInstitutionId: string | undefined;
  onAdded: (m: string) => void;
}) {
  const form = useForm(['institutionId', 'name', 'slug', 'description']);
  return (
    <AddForm
      form={form}
      id="add-network"
      title="Add a network"
      schema={NetworkCreateSchema}
      url="/api/admin/networks"
      onAdded={onAdded}
    >
      <SelectField
        form={form}
        name="institutionId"
        label="Institution"
        options={institutions.map((i) => ({ value: i.id, label: i.name }))}
        defaultValue={defaultInstitutionId}
      />
      <TextField
        form={form}
        name="name"
        label="Name"
        hint="E.g. MedRACE"
        autoComplete="off"
        onInput={suggestSlug}
      />
      <TextField
        form={form}
        name="slug"
        label="Slug"
        hint={slugHint}
        autoComplete="off"
        spellCheck={false}
        onInput={slugEdited}
      />
      <TextAreaField
        form={form}
        name="description"
        label="Description"
        rows={4}
        hint="Shown to everyone on the network’s page."
      />
      <SubmitButton form={form}>Add network</SubmitButton>
    </AddForm>
  );
}

type Checklist = { open: boolean; steps: { key: string; label: string; done: boolean; href: string }[] };

/** A school's set-up steps, each ticked by what exists, each linking to where it is done. */
/** Remounted (by its key) after every change on the page, so it is always current. */
function SetUpChecklist({ institution }: { institution: Institution }) {
  const checklist = useLoad<Checklist>(`/api/admin/institutions/${seg(institution.id)}/set-up`);
  if (checklist.error) return <LoadError message={checklist.error} retry={checklist.reload} />;
  if (!checklist.data) return <Loading what="Loading the set-up checklist" />;
  const left = checklist.data.steps.filter((s) => !s.done).length;
  return (
    <details className="checklist" open={left > 0}>
      <summary>
        Set-up: {left === 0 ? 'done' : `${left} ${left === 1 ? 'step' : 'steps'} to go`} · report form{' '}
        {checklist.data.open ? 'open' : 'closed'}
      </summary>
      <ol>
        {checklist.data.steps.map((step) => (
          <li key={step.key}>
            <span aria-hidden="true">{step.done ? '✓ ' : '○ '}</span>
            <Link href={step.href}>{step.label}</Link>
            <span className="vh">{step.done ? ' (done)' : ' (to do)'}</span>
          </li>
        ))}
      </ol>
      <p>
        <Link href={`/admin/institutions/${institution.id}/speak-up`}>
          Support contacts and placement providers<span className="vh"> of {institution.name}</span>
        </Link>
      </p>
    </details>
  );
}
