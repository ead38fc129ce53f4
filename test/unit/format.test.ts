import { describe, expect, it } from 'vitest';
import { formatBytes, formatElapsed, formatMs, formatRatio } from '../../src/format.js';

describe('formatMs', () => {
  it('writes less than a second in whole milliseconds: 950 → "950 ms"', () => {
    expect(formatMs(950)).toBe('950 ms');
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(12.4)).toBe('12 ms');
  });

  it('writes seconds with two decimals below 10 s and one decimal below a minute: 1234 → "1.23 s", 15800 → "15.8 s"', () => {
    expect(formatMs(1_234)).toBe('1.23 s');
    expect(formatMs(15_800)).toBe('15.8 s');
  });

  it('writes a minute or more as minutes and seconds: 61000 → "1 min 1 s"', () => {
    expect(formatMs(61_000)).toBe('1 min 1 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
  });

  it('writes "–" for NaN and infinities', () => {
    expect(formatMs(Number.NaN)).toBe('–');
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe('–');
  });

  // Regression: the seconds are rounded after the minutes are taken.
  it('never writes 60 seconds: 119700 → "2 min 0 s"', () => {
    expect(formatMs(119_700)).toBe('2 min 0 s');
  });
});

describe('formatBytes', () => {
  it('writes decimal units with three significant digits: 286e6 → "286 MB", 14400 → "14.4 kB"', () => {
    expect(formatBytes(286e6)).toBe('286 MB');
    expect(formatBytes(14_400)).toBe('14.4 kB');
    expect(formatBytes(1.5e9)).toBe('1.5 GB');
  });

  it('writes whole bytes below 1 kB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
  });

  it('stops at TB', () => {
    expect(formatBytes(2e15)).toBe('2000 TB');
  });

  it('writes "–" for NaN', () => {
    expect(formatBytes(Number.NaN)).toBe('–');
  });
});

describe('formatRatio', () => {
  it('writes ratios of 10 or more without decimals and smaller ones with one: 30 → "30×", 1.49 → "1.5×"', () => {
    expect(formatRatio(30)).toBe('30×');
    expect(formatRatio(31.4)).toBe('31×');
    expect(formatRatio(1.49)).toBe('1.5×');
    expect(formatRatio(0.5)).toBe('0.5×');
  });

  it('writes "–" for a ratio that is not finite', () => {
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe('–');
    expect(formatRatio(Number.NaN)).toBe('–');
  });
});

describe('formatElapsed', () => {
  it('writes mm:ss, counting minutes past an hour', () => {
    expect(formatElapsed(0)).toBe('00:00');
    expect(formatElapsed(65_400)).toBe('01:05');
    expect(formatElapsed(3_600_000)).toBe('60:00');
  });
});
