import {
  type FormEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { ApiFailure, type FieldProblem } from './api';

/**
 * Form helpers: one error model for client-side zod checks and server answers alike.
 * A problem whose path names an input of the form is shown beside that input (and linked from the
 * summary); any other path (e.g. `row 3.email` from a cohort import) is listed in the summary only.
 * Inputs are uncontrolled, so whatever the person typed stays when an error comes back.
 */

export type FormErrors = { message: string; problems: FieldProblem[] };

/** The part of a zod schema the helpers use (keeps zod itself out of this module). */
export type Checkable<T> = {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
};

export type FormState = ReturnType<typeof useForm>;

export function useForm(fieldNames: readonly string[]) {
  const baseId = useId();
  const [errors, setErrors] = useState<FormErrors | null>(null);
  const [busy, setBusy] = useState(false);
  const known = new Set(fieldNames);

  const fieldId = useCallback((name: string) => `${baseId}-${name}`, [baseId]);
  const errorFor = (name: string) => errors?.problems.find((p) => p.path === name)?.message;

  /**
   * Checks `raw` with the shared schema, then (if valid) runs `send`. Failures from either step
   * become the form's errors; an ApiFailure keeps the server's message and field problems.
   */
  async function submit<T>(schema: Checkable<T>, raw: unknown, send: (data: T) => Promise<void>) {
    if (busy) return;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      }));
      setErrors({
        message: problems.length === 1 ? 'Please correct this:' : 'Please correct these:',
        problems,
      });
      return;
    }
    setBusy(true);
    setErrors(null);
    try {
      await send(parsed.data);
    } catch (error) {
      setErrors(toFormErrors(error));
    } finally {
      setBusy(false);
    }
  }

  return {
    baseId,
    errors,
    setErrors,
    busy,
    known,
    fieldId,
    errorFor,
    submit,
    clear: () => setErrors(null),
  };
}

/** For actions that send no input (accept, remove, sign out everywhere): nothing to check. */
export const noInput: Checkable<null> = { safeParse: () => ({ success: true, data: null }) };

export function toFormErrors(error: unknown): FormErrors {
  if (error instanceof ApiFailure) return { message: error.message, problems: error.fields };
  return { message: 'Something went wrong. Nothing you typed was lost; please try again.', problems: [] };
}

/** Reads a submitted form into a plain object of strings (checkboxes: true/false). */
export function formValues(event: FormEvent<HTMLFormElement>): Record<string, string> {
  event.preventDefault();
  const values: Record<string, string> = {};
  for (const [key, value] of new FormData(event.currentTarget)) {
    if (typeof value === 'string') values[key] = value;
  }
  return values;
}

/** '' → null, '3' → 3: for optional number selects such as year of study. */
export const numberOrNull = (value: string | undefined) => (value ? Number(value) : null);
export const stringOrNull = (value: string | undefined) => (value ? value : null);

/** 'row 3.email' → 'Row 3, email'; whole-request paths ('body') say nothing useful and are dropped. */
export function describePath(path: string): string {
  if (!path || path === 'body' || path === 'query' || path === 'params') return '';
  const row = /^row (\d+)(?:\.(.+))?$/i.exec(path);
  if (row) return row[2] ? `Row ${row[1]}, ${row[2]}` : `Row ${row[1]}`;
  return path;
}

/**
 * The box at the top of a form: the server's (or our) message and every problem. It takes focus
 * when it appears so screen reader and keyboard users land on it; links jump to the input.
 */
export function ErrorSummary({ form, title = 'There is a problem' }: { form: FormState; title?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const { errors } = form;
  useEffect(() => {
    if (errors) ref.current?.focus();
  }, [errors]);
  if (!errors) return null;
  return (
    <div ref={ref} className="error-summary" role="alert" tabIndex={-1} aria-labelledby={`${form.baseId}-es`}>
      <h2 id={`${form.baseId}-es`} className="error-summary-title">
        {title}
      </h2>
      {/* The server often repeats a single field's message as its summary: say it once. */}
      {errors.problems.some((p) => p.message === errors.message) ? null : <p>{errors.message}</p>}
      {errors.problems.length > 0 && (
        <ul>
          {errors.problems.map((problem, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity; order is stable
            <li key={index}>
              {form.known.has(problem.path) ? (
                <a
                  href={`#${form.fieldId(problem.path)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    const input = document.getElementById(form.fieldId(problem.path));
                    input?.focus();
                    input?.scrollIntoView({ block: 'center' });
                  }}
                >
                  {problem.message}
                </a>
              ) : (
                <>
                  {describePath(problem.path) ? <strong>{describePath(problem.path)}: </strong> : null}
                  {problem.message}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

type FieldShellProps = {
  form: FormState;
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  children: (props: {
    id: string;
    name: string;
    'aria-invalid': true | undefined;
    'aria-describedby': string | undefined;
  }) => ReactNode;
  className?: string;
};

/** A label, an optional hint, the error (if any) and the control, tied together by ids. */
export function Field({ form, name, label, hint, children, className }: FieldShellProps) {
  const id = form.fieldId(name);
  const error = form.errorFor(name);
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-has-error' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          <span className="vh">Error: </span>
          {error}
        </p>
      ) : null}
      {children({
        id,
        name,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy || undefined,
      })}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'form' | 'name' | 'id'>;

export function TextField({
  form,
  name,
  label,
  hint,
  ...input
}: { form: FormState; name: string; label: ReactNode; hint?: ReactNode } & InputProps) {
  return (
    <Field form={form} name={name} label={label} hint={hint}>
      {(props) => <input type="text" {...input} {...props} />}
    </Field>
  );
}

export function TextAreaField({
  form,
  name,
  label,
  hint,
  ...textarea
}: {
  form: FormState;
  name: string;
  label: ReactNode;
  hint?: ReactNode;
} & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'form' | 'name' | 'id'>) {
  return (
    <Field form={form} name={name} label={label} hint={hint}>
      {(props) => <textarea {...textarea} {...props} />}
    </Field>
  );
}

export type Option = { value: string; label: string };

export function SelectField({
  form,
  name,
  label,
  hint,
  options,
  ...select
}: {
  form: FormState;
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  options: readonly Option[];
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'form' | 'name' | 'id'>) {
  return (
    <Field form={form} name={name} label={label} hint={hint}>
      {(props) => (
        <select {...select} {...props}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A submit button that says when it is working (and ignores double taps meanwhile). */
export function SubmitButton({
  form,
  children,
  className = 'button',
  name,
  value,
}: {
  form: FormState;
  children: ReactNode;
  className?: string;
  name?: string;
  value?: string;
}) {
  return (
    <button
      type="submit"
      className={className}
      aria-disabled={form.busy || undefined}
      name={name}
      value={value}
    >
      {children}
    </button>
  );
}

/**
 * A polite live region that is always in the page (so changes are announced), showing `message`.
 */
export function StatusMessage({ message, className = 'notice' }: { message: ReactNode; className?: string }) {
  return <div role="status">{message ? <p className={className}>{message}</p> : null}</div>;
}

export const kindOptions: readonly Option[] = [
  { value: 'student', label: 'Student' },
  { value: 'staff', label: 'Staff' },
  { value: 'alumnus', label: 'Alumnus or fellow' },
];
export const yearOptions: readonly Option[] = [
  { value: '', label: 'None (staff and alumni)' },
  ...[1, 2, 3, 4, 5, 6].map((y) => ({ value: String(y), label: `Year ${y}` })),
];
export const roleOptions: readonly Option[] = [
  { value: 'member', label: 'Member' },
  { value: 'lead', label: 'Lead' },
];
export const leadTitleOptions: readonly Option[] = [
  { value: '', label: 'None (members)' },
  { value: 'co_chair', label: 'Co-chair' },
  { value: 'action_lead', label: 'Action lead' },
];

export const kindLabel = (kind: string) =>
  kind === 'alumnus' ? 'Alumnus or fellow' : kind === 'staff' ? 'Staff' : 'Student';
export const leadTitleLabel = (title: string | null) =>
  title === 'co_chair' ? 'Co-chair' : title === 'action_lead' ? 'Action lead' : 'Lead';

/**
 * A group of radios or checkboxes under a legend, with its error. The first input carries the id
 * the error summary links to.
 */
export function ChoiceGroup({
  form,
  name,
  legend,
  hint,
  type,
  options,
  value,
  onChange,
  defaultValues,
}: {
  form: FormState;
  name: string;
  legend: ReactNode;
  hint?: ReactNode;
  type: 'radio' | 'checkbox';
  options: readonly { value: string; label: string; hint?: string }[];
  /** Controlled radios (when showing or hiding follow-on fields). */
  value?: string;
  onChange?: (value: string) => void;
  defaultValues?: readonly string[];
}) {
  const id = form.fieldId(name);
  const error = form.errorFor(name);
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <fieldset
      className={`field su-choices${error ? ' field-has-error' : ''}`}
      aria-describedby={describedBy || undefined}
    >
      <legend>{legend}</legend>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          <span className="vh">Error: </span>
          {error}
        </p>
      ) : null}
      {options.map((o, index) => {
        // The first option carries the group's id (the error summary links to it); its hint must not
        // share the group hint's id, so option hints are always named after their value.
        const optionId = index === 0 ? id : `${id}-${o.value}`;
        const optionHintId = `${id}-${o.value}-hint`;
        return (
          <div key={o.value} className="field-checkbox su-choice">
            <input
              id={optionId}
              type={type}
              name={name}
              value={o.value}
              aria-describedby={o.hint ? optionHintId : undefined}
              aria-invalid={error ? true : undefined}
              {...(value !== undefined
                ? { checked: value === o.value, onChange: () => onChange?.(o.value) }
                : { defaultChecked: defaultValues?.includes(o.value) })}
            />
            <label htmlFor={optionId}>{o.label}</label>
            {o.hint ? (
              <p id={optionHintId} className="field-hint">
                {o.hint}
              </p>
            ) : null}
          </div>
        );
      })}
    </fieldset>
  );
}
