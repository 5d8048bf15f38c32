/**
 * `npm run sandbox`: starts the sandbox tenant and stays up until SIGINT/SIGTERM, printing what a developer
 * needs to point Roster at it (URL, certificate, the demo tenant's credentials).
 */
import { parseArgs, USAGE } from "./cli-args";
import { NORTHWIND } from "./scenarios/northwind";
import { startSandbox } from "./server";

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    console.error(USAGE);
    process.exit(2);
  }
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  const t0 = Date.now();
  const sb = await startSandbox(opts);
  const lines = [
    `Roster sandbox tenant listening on ${sb.url}  (started in ${Date.now() - t0} ms)`,
    `  authority host / Graph base URL: ${sb.url}   (ENTRA_AUTHORITY_HOST and GRAPH_BASE_URL)`,
    `  certificate: ${sb.certPath}`,
    `  trust it:    NODE_EXTRA_CA_CERTS=${sb.certPath}`,
    `  control API: ${sb.url}/_sandbox/tenants`,
  ];
  if (sb.demoTenantId) {
    lines.push(
      "",
      `Demo tenant "${NORTHWIND.displayName}" (cloud: global)`,
      `  Directory (tenant) ID:    ${NORTHWIND.tenantId}`,
      `  Application (client) ID:  ${NORTHWIND.app.clientId}`,
      `  Client secret ID:         ${NORTHWIND.app.secretId}`,
      `  Client secret value:      ${NORTHWIND.app.secretValue}`,
      `  scope:                    https://graph.microsoft.com/.default`,
      `  other apps: expiring secret ${NORTHWIND.apps.expiringSecret.clientId} / ${NORTHWIND.apps.expiringSecret.secretValue}`,
      `              delegated only  ${NORTHWIND.apps.delegatedOnly.clientId} / ${NORTHWIND.apps.delegatedOnly.secretValue}`,
      `              no User.Read.All ${NORTHWIND.apps.noUserRead.clientId} / ${NORTHWIND.apps.noUserRead.secretValue}`,
      `  groups: All-Staff ${NORTHWIND.groups.allStaff}, Outreach ${NORTHWIND.groups.outreach}, Engineering ${NORTHWIND.groups.engineering}`,
    );
  }
  if (sb.generatedTenantId) {
    const m = sb.manifest(sb.generatedTenantId)!;
    lines.push(
      "",
      `Generated tenant ${m.tenantId} (${m.displayName})`,
      `  client ${m.apps[0].clientId} / secret ${m.apps[0].secrets[0].value}`,
      `  ${JSON.stringify(m.counts)}`,
      `  manifest: GET ${sb.url}/_sandbox/tenants/${m.tenantId}`,
    );
  }
  console.log(lines.join("\n"));
  const stop = async (signal: string) => {
    console.log(`\n${signal}: stopping the sandbox`);
    await sb.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

void main();
