import type { FixStep, FixStepName } from '../contract.ts';
import type { FixContext } from './types.ts';

/** Steps, progress events and the audit log, kept in one place so they never disagree. */
export class StepLog {
  readonly steps: FixStep[] = [];
  id: string;
  private readonly context: Pick<FixContext, 'audit'>;
  private readonly kind: string;
  private readonly onStep: ((step: FixStep) => void) | undefined;

  constructor(context: Pick<FixContext, 'audit'>, kind: string, id: string, onStep?: (step: FixStep) => void) {
    this.context = context;
    this.kind = kind;
    this.id = id;
    this.onStep = onStep;
  }

  async record(step: FixStepName, status: FixStep['status'], detail: string): Promise<void> {
    const event: FixStep = { step, status, detail, at: new Date().toISOString() };
    if (status !== 'running') this.steps.push(event);
    this.onStep?.(event);
    await this.context.audit({ fixId: this.id, kind: this.kind, step: event });
  }
}
