import postgres from "postgres";
import { adminUrl } from "./env";

export default async function globalTeardown() {
  globalThis.__rosterSandbox?.kill("SIGTERM");
  const template = process.env.E2E_TEMPLATE_DB;
  if (template) {
    const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  }
}
