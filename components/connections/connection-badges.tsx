import { Badge } from "@/components/ui/badge";
import type { ConnectionView } from "@/lib/connections/view";

const HEALTH: Record<ConnectionView["health"], { label: string; className: string }> = {
  healthy: { label: "Healthy", className: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  degraded: { label: "Needs attention", className: "bg-amber-50 text-amber-900 ring-amber-200" },
  failing: { label: "Failing", className: "bg-red-50 text-red-800 ring-red-200" },
  unknown: { label: "Not verified", className: "bg-slate-100 text-slate-700 ring-slate-200" },
};

export function HealthBadge({ health }: { health: ConnectionView["health"] }) {
  const h = HEALTH[health];
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${h.className}`}>{h.label}</span>;
}

export function StatusBadge({ status }: { status: ConnectionView["status"] }) {
  return status === "draft" ? <Badge tone="violet">Draft</Badge> : <Badge tone="blue">Active</Badge>;
}

export function SecretExpiryText({ view }: { view: { secretExpiresOn: string | null; secretExpiry: ConnectionView["secretExpiry"] } }) {
  if (!view.secretExpiry || !view.secretExpiresOn) return <span className="text-slate-700">none</span>;
  const { level, daysLeft } = view.secretExpiry;
  const tone = level === "expired" ? "text-red-700" : level === "urgent" ? "text-red-700" : level === "soon" ? "text-amber-800" : "text-slate-700";
  const when = level === "expired" ? "expired" : daysLeft === 0 ? "expires today" : `in ${daysLeft} ${daysLeft === 1 ? "day" : "days"}`;
  return (
    <span className={tone}>
      {view.secretExpiresOn} ({when})
    </span>
  );
}
