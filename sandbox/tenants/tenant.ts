/**
 * One sandbox tenant: a directory, its app registrations, its faults and its request log. Tenants share
 * nothing, so parallel tests that each create their own never see one another.
 */
import type { Cloud } from "../auth/clouds";
import type { Directory } from "../directory/directory";
import { FaultEngine } from "../faults/faults";
import { RequestLog } from "../log/request-log";
import type { GenerateOptions } from "../scenarios/generate";
import type { AppRegistration } from "./apps";

export interface TenantSource {
  scenario?: string;
  generate?: GenerateOptions;
}

export class Tenant {
  readonly faults = new FaultEngine();
  readonly log = new RequestLog();
  readonly createdAt = new Date();

  constructor(
    readonly id: string,
    readonly cloud: Cloud,
    readonly directory: Directory,
    readonly apps: AppRegistration[],
    readonly source: TenantSource,
    /** Access-token lifetime (Entra's default is about an hour). */
    readonly tokenLifetimeSeconds = 3599,
  ) {}

  get displayName(): string {
    return this.directory.org.displayName;
  }

  findApp(clientId: string): AppRegistration | undefined {
    const key = clientId.toLowerCase();
    return this.apps.find((a) => a.clientId.toLowerCase() === key);
  }

  /** Names under which the authority accepts this tenant: its id and its domains. */
  names(): string[] {
    return [this.id, this.directory.org.domain, this.directory.org.initialDomain].map((n) => n.toLowerCase());
  }
}
