import { z } from 'zod';
import { GatewayLogErrors } from './daemon-world.ts';

/**
 * The app's History view of the gateway's log errors: the summary (its
 * `files` are the active log files, whether or not they exist yet), since
 * when clawbar counts, and the hours of the last day, oldest first, each with
 * its errors per layer — the same hours `lastDay` adds up.
 */
export const GatewayLogHistory = GatewayLogErrors.extend({
  since: z.string(),
  hours: z.array(z.object({ hour: z.string(), byLayer: z.record(z.string(), z.number()) })),
});
export type GatewayLogHistory = z.infer<typeof GatewayLogHistory>;
