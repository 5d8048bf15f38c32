import { tenantSlot, type TenantGate, type TenantSlot } from "@/lib/directory/types";

export type { TenantGate, TenantSlot } from "@/lib/directory/types";

/**
 * The gate of this process alone (tests, scripts, and the default when no shared gate is given): at most `limit` requests in flight per
 * tenant, and when one request is throttled with Retry-After the whole tenant pauses, since Graph's budget is
 * per app and tenant, not per request.
 */
interface LocalGate {
  limit: number;
  active: number;
  waiting: (() => void)[];
  pausedUntil: number;
}

const store = globalThis as unknown as { rosterGraphGates?: Map<string, LocalGate> };

export const DEFAULT_MAX_IN_FLIGHT = 8;

function gateFor(tenantId: string, limit?: number): LocalGate {
  store.rosterGraphGates ??= new Map();
  const key = tenantId.toLowerCase();
  let gate = store.rosterGraphGates.get(key);
  if (!gate) {
    gate = { limit: DEFAULT_MAX_IN_FLIGHT, active: 0, waiting: [], pausedUntil: 0 };
    store.rosterGraphGates.set(key, gate);
  }
  // The latest session's cap wins: callers of one tenant agree on it in practice (one setting per deployment).
  if (limit !== undefined) gate.limit = Math.max(1, Math.floor(limit));
  return gate;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function acquireTenantSlot(tenantId: string, limit = DEFAULT_MAX_IN_FLIGHT): Promise<TenantSlot> {
  const gate = gateFor(tenantId, limit);
  let pausedMs = 0;
  for (;;) {
    const pause = gate.pausedUntil - Date.now();
    if (pause > 0) {
      pausedMs += pause;
      await sleep(pause);
    }
    if (gate.active < gate.limit) break;
    await new Promise<void>((resolve) => gate.waiting.push(resolve));
  }
  gate.active++;
  return tenantSlot(pausedMs, () => {
    gate.active--;
    gate.waiting.shift()?.();
  });
}

export function pauseTenant(tenantId: string, untilMs: number): void {
  const gate = gateFor(tenantId);
  gate.pausedUntil = Math.max(gate.pausedUntil, untilMs);
}

/** For tests: how many requests are in flight for a tenant right now. */
export function tenantInFlight(tenantId: string): number {
  return store.rosterGraphGates?.get(tenantId.toLowerCase())?.active ?? 0;
}

export const processTenantGate: TenantGate = {
  acquire: (tenantId, limit) => acquireTenantSlot(tenantId, limit),
  pause: async (tenantId, delayMs) => pauseTenant(tenantId, Date.now() + delayMs),
};
