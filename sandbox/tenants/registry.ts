/** The tenants a sandbox server hosts, found by id or by domain name (Entra accepts both as `{tenant}`). */
import type { Tenant } from "./tenant";

export class TenantRegistry {
  private readonly tenants = new Map<string, Tenant>();
  private readonly byName = new Map<string, Tenant>();

  add(t: Tenant): void {
    if (this.tenants.has(t.id.toLowerCase())) throw new Error(`tenant ${t.id} already exists`);
    this.tenants.set(t.id.toLowerCase(), t);
    for (const n of t.names()) if (!this.byName.has(n)) this.byName.set(n, t);
  }

  remove(id: string): boolean {
    const t = this.tenants.get(id.toLowerCase());
    if (!t) return false;
    this.tenants.delete(t.id.toLowerCase());
    for (const [n, x] of this.byName) if (x === t) this.byName.delete(n);
    return true;
  }

  get(idOrDomain: string): Tenant | undefined {
    const key = idOrDomain.toLowerCase();
    return this.tenants.get(key) ?? this.byName.get(key);
  }

  list(): Tenant[] {
    return [...this.tenants.values()];
  }
}
