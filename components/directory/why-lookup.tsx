"use client";
/**
 * "Why is or isn't this person here?" on the Audience page: enter an address; the answer lists each source
 * that holds it, or why no synced group brings it (not a member, disabled, no address, contacts not synced,
 * group not synced), read live from the directory.
 */
import { useId, useState, useTransition } from "react";
import { explainAudienceAddress } from "@/app/series/[seriesId]/audience/directory-actions";
import { Alert } from "@/components/ui/alert";
import { buttonClasses } from "@/components/ui/button";
import { inputClasses } from "@/components/ui/field";
import type { WhyAnswer } from "@/lib/why/explain";

export interface WhyLookupProps {
  seriesId: string;
  /** Beside the search: a smaller heading and the field and button on one line. */
  compact?: boolean;
}

export function WhyLookup({ seriesId, compact = false }: WhyLookupProps) {
  const id = useId();
  const [email, setEmail] = useState("");
  const [answer, setAnswer] = useState<WhyAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [looking, startLookup] = useTransition();

  function lookUp(event: React.FormEvent) {
    event.preventDefault();
    startLookup(async () => {
      const result = await explainAudienceAddress({ seriesId, email });
      if (result.ok) {
        setAnswer(result.data);
        setError(null);
      } else {
        setAnswer(null);
        setError(result.error.fields?.email ?? result.error.message);
      }
    });
  }

  return (
    <section aria-labelledby={`${id}-title`} className={`rounded-lg border border-slate-200 bg-white ${compact ? "space-y-2 p-3" : "space-y-3 p-4"}`}>
      <h2 id={`${id}-title`} className={compact ? "text-sm font-semibold" : "text-base font-semibold"}>
        Why is or isn&apos;t this person here?
      </h2>
      <form onSubmit={lookUp} className={`flex gap-2 ${compact ? "flex-row items-end" : "flex-col sm:flex-row sm:items-end"}`}>
        <div className="min-w-0 flex-1 space-y-1">
          <label htmlFor={`${id}-email`} className="block text-sm font-medium">
            Email address to look up
          </label>
          <input
            id={`${id}-email`}
            type="email"
            required
            autoComplete="off"
            className={inputClasses}
            value={email}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <button type="submit" className={buttonClasses("secondary")} aria-disabled={looking}>
          {looking ? "Looking up…" : "Look up"}
        </button>
      </form>
      <div aria-live="polite">
        {error ? (
          <p id={`${id}-error`} className="text-sm font-medium text-red-700">
            {error}
          </p>
        ) : null}
        {answer ? (
          <div className="space-y-2" data-testid="why-answer">
            <p className="text-sm font-semibold">
              {answer.email} {answer.inAudience ? "is in this audience." : "is not in this audience."}
            </p>
            {answer.holders.length > 0 ? (
              <ul className="list-inside list-disc text-sm" aria-label="Sources holding this address">
                {answer.holders.map((h, i) => (
                  <li key={`${h.label}-${i}`}>{h.label}</li>
                ))}
              </ul>
            ) : null}
            {answer.reasons
              .filter((r) => r.code !== "held")
              .map((r, i) => (
                <Alert key={`${r.code}-${i}`} tone={r.code === "lookup_failed" ? "warning" : "info"}>
                  {r.message}
                </Alert>
              ))}
          </div>
        ) : null}
      </div>
    </section>
  );
}
