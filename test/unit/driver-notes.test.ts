import { describe, expect, it } from 'vitest';
import type { BuildSample } from '../../src/result/types.js';
import { driverNotes } from '../../src/run/driver-notes.js';
import { makeSample } from './support/sample-factory.js';

const api = { builders: ['buildkit' as const], driverFor: { classic: 'api' as const, buildkit: 'api' as const }, dockerCli: null };
const sent = (transport: 'tar' | 'session'): BuildSample => ({ ...makeSample({ builder: 'buildkit' }), driver: 'api', contextSent: { transport, bytes: 100, files: transport === 'session' ? 1 : null } });

describe('driverNotes: which transport carried the context, read off the samples', () => {
  it('names the session when every API BuildKit build went over one', () => {
    const [note] = driverNotes(api, [sent('session'), sent('session')]);
    expect(note?.code).toBe('driver-api-buildkit');
    expect(note?.message).toContain('BuildKit session');
    expect(note?.message).not.toMatch(/\btar\b/);
  });

  it('says so when the daemon refused a session and a tar went, for some builds or all', () => {
    expect(driverNotes(api, [sent('tar')])[0]?.message).toMatch(/refused a BuildKit session, so the context was sent as a tar \(all of it/);
    expect(driverNotes(api, [sent('session'), sent('tar')])[0]?.message).toContain('as a tar for some builds');
  });

  it('reads only its own builder and driver: a classic tar does not make a BuildKit note say tar', () => {
    const both = { builders: ['classic' as const, 'buildkit' as const], driverFor: { classic: 'api' as const, buildkit: 'api' as const }, dockerCli: null };
    const classicTar: BuildSample = { ...makeSample({ builder: 'classic' }), driver: 'api', contextSent: { transport: 'tar', bytes: 100, files: null } };
    const notes = driverNotes(both, [classicTar, sent('session')]);
    expect(notes.map((n) => n.code)).toEqual(['driver-api-classic', 'driver-api-buildkit']);
    expect(notes[1]?.message).not.toContain('refused');
  });

  it('names the CLI and its version for the CLI driver', () => {
    const cli = { builders: ['buildkit' as const], driverFor: { classic: 'api' as const, buildkit: 'cli' as const }, dockerCli: 'docker 28.2.2, buildx 0.13.1' };
    expect(driverNotes(cli, [])).toEqual([{ code: 'driver-cli-buildkit', message: expect.stringContaining('docker CLI (docker 28.2.2, buildx 0.13.1)') }]);
  });
});
