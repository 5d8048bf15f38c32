"use client";
import { useState } from "react";

/**
 * Copies an ID to the clipboard. Its accessible name says what it copies ("Copy client ID"), in words that
 * are not a field's label, so that the label still names only its field; a polite live region says when it did.
 */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      setCopied("no");
    }
    setTimeout(() => setCopied(null), 2_000);
  }
  return (
    <span className="inline-flex items-center gap-1.5">
      <button
        type="button"
        onClick={copy}
        disabled={!value}
        aria-label={`Copy ${what}`}
        className="rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50"
      >
        Copy
      </button>
      <span role="status" className="text-xs text-slate-500">
        {copied === "yes" ? "Copied" : copied === "no" ? "Select and copy it by hand" : ""}
      </span>
    </span>
  );
}
