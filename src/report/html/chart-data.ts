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
