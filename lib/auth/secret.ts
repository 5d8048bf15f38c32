import "server-only";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { dataDir } from "@/db/client";
import { readEnv } from "@/lib/env";

/**
 * A development-only secret kept in `.data/`, so that `npm run dev` works with no setup while production
 * refuses to start without a configured one (a generated secret there would log everyone out on each deploy).
 */
export function developmentSecret(fileName: string, bytes: number, envName: string): string {
  if (process.env.NODE_ENV === "production") {
    throw new Error(`${envName} is required in production. See .env.example for how to generate it.`);
  }
  const dir = dataDir();
  const file = path.join(dir, fileName);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(bytes).toString("base64"), { mode: 0o600, flag: "wx" });
  }
  return readFileSync(file, "utf8").trim();
}

export function authSecret(): string {
  const env = readEnv();
  return env.AUTH_SECRET || env.NEXTAUTH_SECRET || developmentSecret("auth-secret", 32, "AUTH_SECRET");
}
