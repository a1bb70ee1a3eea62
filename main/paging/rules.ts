import type { DebounceSettings, PageCheck, PagingSettings } from '../settings-schema.ts';
import type { Rule } from './debounce.ts';

/** The paged checks are named by the settings schema, which has a rule field for each. */
export { PAGE_CHECKS, type PageCheck } from '../settings-schema.ts';

/**
 * Built-in rules: every check needs two failing looks in a row and two good
 * ones to resolve; the gateway's two must fall within 120 s (the runbook's
 * "page if two consecutive failures exceed a 120 s window"). Reminders are
 * off until asked for: Alertmanager has its own repeat_interval.
 */
const BUILT_IN: Record<PageCheck, Rule> = {
  gateway: { enabled: true, failureThreshold: 2, failureWindowMs: 120_000, successThreshold: 2, reminderMs: 0, sendResolved: true },
  exposure: { enabled: true, failureThreshold: 2, failureWindowMs: null, successThreshold: 2, reminderMs: 0, sendResolved: true },
  clock: { enabled: true, failureThreshold: 2, failureWindowMs: null, successThreshold: 2, reminderMs: 0, sendResolved: true },
  egress: { enabled: true, failureThreshold: 2, failureWindowMs: null, successThreshold: 2, reminderMs: 0, sendResolved: true },
  fixReverted: { enabled: true, failureThreshold: 2, failureWindowMs: null, successThreshold: 2, reminderMs: 0, sendResolved: true },
};

function apply(rule: Rule, patch: DebounceSettings | undefined): Rule {
  if (!patch) return rule;
  return {
    enabled: patch.enabled ?? rule.enabled,
    failureThreshold: patch.failureThreshold ?? rule.failureThreshold,
    failureWindowMs: patch.failureWindowSec === undefined ? rule.failureWindowMs : patch.failureWindowSec === null ? null : patch.failureWindowSec * 1000,
    successThreshold: patch.successThreshold ?? rule.successThreshold,
    reminderMs: patch.reminderIntervalSec === undefined ? rule.reminderMs : patch.reminderIntervalSec * 1000,
    sendResolved: patch.sendResolved ?? rule.sendResolved,
  };
}

/** The rule for a check: built-in, then `paging.defaults`, then `paging.checks.<check>`. */
export function ruleFor(check: PageCheck, paging: PagingSettings): Rule {
  return apply(apply(BUILT_IN[check], paging.defaults), paging.checks[check]);
}

/** A track's key names its check first (`egress/tls-trust`). */
export const checkOfKey = (key: string): PageCheck => key.split('/')[0] as PageCheck;
