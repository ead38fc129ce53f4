/**
 * The data report.html's page script draws its charts from: plain JSON, written into the page
 * by html-report.ts and read by report-script.ts. Types only, so both the node and the
 * browser program compile it.
 */
export interface ChartData {
  /** x categories of the time and bytes charts: the cold build and each edit (per builder) */
  sections: string[];
  variants: string[];
  times: { variant: string; points: TimePoint[] }[];
  newBytes: { variant: string; values: (number | null)[] }[];
  imageBytes: { variant: string; value: number | null }[];
  waterfalls: Waterfall[];
  /** one pull per case of a pull experiment (none for builds) */
  pullWaterfalls: PullWaterfall[];
  /** a sweep's pull time per case against link speed; null unless the pulls span two shaped link rates or more */
  pullSweep: PullSweep | null;
}

/** One build's wall time, at the index of its section in `sections`. */
interface TimePoint {
  section: number;
  ms: number;
  rep: number;
  /** left out of the statistics: nothing missed the cache */
  excluded: boolean;
}

/** One rebuild of a variant, its steps laid end to end from the build's start. */
interface Waterfall {
  variant: string;
  caption: string;
  steps: { label: string; start: number; end: number; cached: boolean }[];
}

/** One pull: each downloaded layer's download and extraction, in ms from the pull's request; they overlap. */
interface PullWaterfall {
  caption: string;
  layers: { label: string; download: [number, number] | null; extract: [number, number] | null }[];
}

/** A pull experiment over several link rates: one line per case, a point per shaped rate. */
interface PullSweep {
  /** the sweep held an unlimited link too: it has no rate to put on the axis, so it is not drawn */
  unlimitedLeftOut: boolean;
  lines: { label: string; points: PullSweepPoint[] }[];
}

/** One case at one link rate: the median of its pulls and the median's interval (95 % where n allows). */
interface PullSweepPoint {
  /** the link rate in Mbit/s */
  mbit: number;
  /** the rate as a reader would write it: `100 Mbit/s` */
  link: string;
  medianMs: number;
  lowMs: number;
  highMs: number;
  /** how much of the median's distribution the interval covers: 0.95, or less below n = 6 */
  confidence: number;
  n: number;
}
