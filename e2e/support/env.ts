/** Where global setup leaves what the workers need (workers inherit the environment it sets). */
export const E2E_DIST_DIR = process.env.E2E_DIST_DIR || ".next-e2e";

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with \`npm run test:e2e\`.`);
  return value;
}

export function adminUrl(database = "postgres"): string {
  const url = new URL(requiredEnv("DATABASE_URL"));
  url.pathname = `/${database}`;
  return url.toString();
}
