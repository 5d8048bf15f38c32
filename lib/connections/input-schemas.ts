import { z } from "zod";

/**
 * Transport shapes for the connection actions: types and sizes only. The field rules with their specific
 * messages live in validation.ts and run inside the verbs, so a crafted request meets the same rules.
 */
const text = (max: number) => z.string().max(max, `Keep this under ${max} characters.`);
const uuidish = z.string().max(64);

export const credentialsInput = z.object({
  clientId: text(200),
  tenantId: text(200),
  /** secret (the default), certificate or federated; the last two name the credential prepared for the wizard. */
  credentialKind: text(20).optional(),
  pendingId: uuidish.optional(),
  secretId: text(200).optional(),
  secretValue: text(500).optional(),
  secretExpiresOn: text(40).optional(),
  groupObjectIds: text(5000).optional(),
  azureGovernment: z.boolean().optional(),
  useUsernameFallback: z.boolean().optional(),
  syncContacts: z.boolean().optional(),
});

export const createConnectionInput = credentialsInput.extend({
  organizationIds: z.array(uuidish).max(100),
  name: text(500).optional(),
  ownerName: text(500),
  ownerEmail: text(500),
  saveAsDraft: z.boolean().optional(),
});

/** The wizard asks for its federated values or its certificate before the connection exists (pending-credential.ts). */
export const prepareWizardCredentialInput = z.object({
  pendingId: uuidish.optional(),
  certificate: z.boolean().optional(),
  validDays: z.number().int().optional(),
  renew: z.boolean().optional(),
});

export const connectionIdInput = z.object({ connectionId: uuidish });

export const prepareCertificateInput = connectionIdInput.extend({ validDays: z.number().int().optional() });

export const switchCredentialInput = connectionIdInput.extend({ to: text(20) });

export const rotateSecretInput = connectionIdInput.extend({ secretId: text(200), secretValue: text(500), secretExpiresOn: text(40) });

export const updateOptionsInput = connectionIdInput.extend({
  organizationIds: z.array(uuidish).max(100),
  name: text(500).optional(),
  ownerName: text(500),
  ownerEmail: text(500),
  groupObjectIds: text(5000),
  azureGovernment: z.boolean(),
  useUsernameFallback: z.boolean(),
  syncContacts: z.boolean(),
  /** A draft's IDs can be corrected; an active connection's cannot (the verb says so). */
  clientId: text(200).optional(),
  tenantId: text(200).optional(),
  /** Save a change that failed verification, after the admin was told what it does. */
  confirm: z.boolean().optional(),
});
