/** The calibration of a shaped link: the rate a blob of known size arrived at, beside the rate asked for. */
import { describe, expect, it } from 'vitest';
import { CALIBRATION_BYTES, calibrationLine, calibrationOf } from '../../src/pull/calibrate-link.js';

describe('a link calibration', () => {
  it('25 MB in 10 s at 20 Mbit/s is on the rate', () => {
    expect(calibrationOf('20mbit', CALIBRATION_BYTES, 10_000)).toEqual({ bandwidth: '20mbit', bitsPerSecond: 2e7, bytes: 25e6, downloadMs: 10_000, measuredBitsPerSecond: 2e7, offBy: 0 });
    expect(calibrationLine(calibrationOf('20mbit', CALIBRATION_BYTES, 10_000))).toBe('link 20mbit: the calibration blob (25.0 MB) arrived at 20.0 Mbit/s (+0.0 %)');
  });

  it('says how far off it ran, and warns beyond 10 % either way, not at 10 % or within', () => {
    expect(calibrationOf('20mbit', 25e6, 11_000).offBy).toBeCloseTo(-0.0909, 3);
    expect(calibrationLine(calibrationOf('20mbit', 25e6, 11_000))).toMatch(/^link 20mbit: .* at 18\.2 Mbit\/s \(−9\.1 %\)$/);
    expect(calibrationLine(calibrationOf('20mbit', 25e6, 12_000))).toMatch(/^warning: link 20mbit: .* at 16\.7 Mbit\/s \(−16\.7 %\) — more than 10 % off/);
    expect(calibrationLine(calibrationOf('20mbit', 25e6, 8_000))).toMatch(/^warning: .*\(\+25\.0 %\)/);
  });

  it('a download that could not be timed, or an unlimited link, checks nothing and says so', () => {
    expect(calibrationOf('20mbit', 25e6, 0)).toMatchObject({ measuredBitsPerSecond: null, offBy: null });
    expect(calibrationLine(calibrationOf('20mbit', 25e6, 0))).toMatch(/could not be timed: the link's rate is not checked$/);
    expect(calibrationOf('unlimited', 25e6, 100).offBy).toBeNull();
  });
});
