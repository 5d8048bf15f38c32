"use client";
import { useCallback, useEffect, useId, useRef, type InputHTMLAttributes, type Ref, type TextareaHTMLAttributes } from "react";
import { describedBy, FieldNotes, inputClasses } from "@/components/ui/field";

/** A labelled textarea with hint and error tied in by aria-describedby (the error stays on its field). */
export function TextAreaField({
  label,
  hint,
  error,
  ...textarea
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; hint?: string; error?: string }) {
  const id = useId();
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} className={`${inputClasses} font-mono`} {...textarea} />
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

/** A checkbox whose accessible name is exactly its label; the hint and error are descriptions. */
export function CheckboxField({
  label,
  hint,
  error,
  ...input
}: Omit<InputHTMLAttributes<HTMLInputElement>, "type"> & { label: string; hint?: string; error?: string }) {
  const id = useId();
  return (
    <div className="flex items-start gap-3">
      <input
        id={id}
        type="checkbox"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        className="mt-0.5 h-4 w-4 rounded border-slate-300 text-blue-600 focus:ring-blue-600"
        {...input}
      />
      <div className="space-y-0.5">
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          {label}
        </label>
        <FieldNotes id={id} hint={hint} error={error} />
      </div>
    </div>
  );
}

export function FormSection({ title, step, children, description }: { title: string; step?: number; description?: string; children: React.ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby={`${title}-heading`.replace(/\W+/g, "-")}>
      <h2 id={`${title}-heading`.replace(/\W+/g, "-")} tabIndex={-1} className="text-base font-semibold text-slate-900 focus:outline-none">
        {step !== undefined && <span className="mr-2 text-slate-400">{step}.</span>}
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
      <div className="mt-4 space-y-4">{children}</div>
    </section>
  );
}

/** The field errors without one field's (it was just edited). */
export function withoutField(fields: Record<string, string>, key: string): Record<string, string> {
  const next = { ...fields };
  delete next[key];
  return next;
}

/**
 * Where keyboard focus goes once a form's result renders. The submit button is disabled while the action runs,
 * which drops focus to <body>; without this a keyboard or screen-reader user starts again from the top of the
 * page. "firstError" lands on the first invalid field (falling back to the message), "message" on the result.
 */
export function useResultFocus<F extends HTMLElement = HTMLFormElement>() {
  const formRef = useRef<F>(null);
  const messageRef = useRef<HTMLDivElement>(null);
  const target = useRef<null | "firstError" | "message">(null);
  // No dependency list: runs after every commit, and acts only when a result asked for focus.
  useEffect(() => {
    if (!target.current) return;
    const firstInvalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (target.current === "firstError" && firstInvalid) firstInvalid.focus();
    else messageRef.current?.focus();
    target.current = null;
  });
  const focusAfterRender = useCallback((where: "firstError" | "message") => {
    target.current = where;
  }, []);
  return { formRef, messageRef, focusAfterRender };
}

/**
 * The client secret Value input. Uncontrolled on purpose: React mirrors a controlled input's value into the
 * HTML `value` attribute, which would put the secret into the page's markup (DOM snapshots, session-replay and
 * extension tooling read attributes). The form keeps its copy through onValueChange; set or clear the box itself
 * through inputRef.
 */
export function SecretValueField({
  label,
  error,
  name,
  inputRef,
  onValueChange,
}: {
  label: string;
  error?: string;
  name: string;
  inputRef: Ref<HTMLInputElement>;
  onValueChange(value: string): void;
}) {
  const id = useId();
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        ref={inputRef}
        name={name}
        type="password"
        autoComplete="new-password"
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, undefined, error)}
        className={inputClasses}
        onChange={(e) => onValueChange(e.target.value)}
      />
      <FieldNotes id={id} error={error} />
    </div>
  );
}

