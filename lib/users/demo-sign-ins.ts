import type { Role } from "../../db/schema";
/**
 * The demo's sign-ins, created by `npm run db:seed` (and by `npm run dev`). Public on purpose: they exist
 * only in the embedded development database, and the login page shows them only in development.
 */
export interface DemoSignIn {
  role: Role;
  name: string;
  email: string;
  password: string;
}

export const DEMO_ORGANIZATION = "Northwind";
export const DEMO_SERIES = "Weekly All-Hands";
export const OTHER_ORGANIZATION = "Contoso";
export const OTHER_SERIES = "Contoso Monthly";

export const DEMO_SIGN_INS: readonly DemoSignIn[] = [
  { role: "admin", name: "Ada Admin", email: "admin@northwind.example", password: "roster-admin-demo" },
  { role: "editor", name: "Eddie Editor", email: "editor@northwind.example", password: "roster-editor-demo" },
];
