import type { Check } from './report.js';

export interface FigureContext {
  /** Shorter runs for checking the harness itself; the figures are then only indicative. */
  quick: boolean;
  /** A scratch folder of this figure's own under .bench/, emptied before the run. */
  workDir: string;
}

export interface Figure {
  /** The name to select it on the command line. */
  name: string;
  title: string;
  run(ctx: FigureContext): Promise<Check[]>;
}
