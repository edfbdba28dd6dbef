// What `memcode doctor` (MemCode: Check Memory) found in a memory folder and what it did about it. Each
// check reports through a Checkup: a problem, and either the repair it made or why none was possible.
// A repair never deletes what might be someone's only copy: what cannot be repaired is moved aside.

export interface Finding {
  /** The file or folder concerned. */
  file: string;
  problem: string;
  /** What was done about it, or (checking only) what a repair would do. */
  action: string;
  /** Still broken after the checkup. */
  broken: boolean;
}

export class Checkup {
  readonly findings: Finding[] = [];

  /** `repair`: make the repairs; otherwise only say what they would be. */
  constructor(
    readonly repair: boolean,
    readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records a problem. `fix` makes the repair and says what it did; without one nothing can be done here
   * and `plan` says what the person can do.
   */
  async found(file: string, problem: string, plan: string, fix?: () => string | Promise<string>): Promise<void> {
    if (!fix) {
      this.findings.push({ file, problem, action: plan, broken: true });
      return;
    }
    if (!this.repair) {
      this.findings.push({ file, problem, action: `a repair would ${plan}`, broken: true });
      return;
    }
    try {
      this.findings.push({ file, problem, action: await fix(), broken: false });
    } catch (err) {
      this.findings.push({ file, problem, action: `could not ${plan}: ${(err as Error).message}`, broken: true });
    }
  }

  get broken(): boolean {
    return this.findings.some((f) => f.broken);
  }
}
