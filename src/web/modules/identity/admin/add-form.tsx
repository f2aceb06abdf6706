import { type ReactNode, useId } from 'react';
import { api } from '../../../app/api';
import { type Checkable, ErrorSummary, type FormState, formValues } from '../../../app/forms';

/**
 * An admin "Add a …" section: checks the input with the shared schema, posts it, clears the form
 * and announces what was added. The fields (and the submit button) are the children.
 */
export function AddForm<T extends { name: string }>({
  form,
  id,
  title,
  schema,
  url,
  prepare = (values) => values,
  onAdded,
  children,
}: {
  form: FormState;
  /** The section's id, for links to it (e.g. from the set-up checklist). */
  id?: string;
  title: string;
  schema: Checkable<T>;
  url: string;
  /** Turns the submitted strings into the request body (e.g. a checkbox into a boolean). */
  prepare?: (values: Record<string, string>) => unknown;
  /** Called with the message to announce and the name just added. */
  onAdded: (message: string, name: string) => void;
  children: ReactNode;
}) {
  const headingId = useId();
  return (
    <section className="section" id={id}>
      <h2 id={headingId}>{title}</h2>
      <form
        noValidate
        aria-labelledby={headingId}
        onSubmit={(event) => {
          const element = event.currentTarget;
          const input = prepare(formValues(event));
          void form.submit(schema, input, async (body) => {
            await api.post(url, body);
            element.reset();
            onAdded(`${body.name} has been added.`, body.name);
          });
        }}
      >
        <ErrorSummary form={form} />
        {children}
      </form>
    </section>
  );
}
