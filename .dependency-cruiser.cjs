/**
 * The house's floors: a module may import from its own floor and the floors below, never from
 * above. The result contract sits at the bottom (above only a few shared kernel files); the
 * command line at the top. `npm run lint:deps` checks it; so does test/unit/architecture.test.ts.
 */
const FLOORS = [
  ['kernel', '^src/(errors|version|path-inside|schema-errors|disk-space|display-path|format|scratch-parent)\\.ts$'],
  ['result', '^src/result/'],
  ['scenario', '^src/scenario/'],
  ['dockerfile', '^src/dockerfile/'],
  ['workspace', '^src/workspace/'],
  ['engine', '^src/engine/'],
  ['environment', '^src/(bases|package-index)/'],
  ['measure', '^src/measure/'],
  ['report', '^src/report/'],
  ['run', '^src/run/'],
  ['pull', '^src/pull/'],
  ['commands', '^src/commands/'],
  ['entry points', '^src/((cli|bin|index)\\.ts$|bench/)'],
];

const ALL_FLOORS = FLOORS.map(([, p]) => `(${p})`).join('|');

const upward = FLOORS.slice(0, -1).map(([name, path], i) => ({
  name: `${name}-imports-no-floor-above`,
  comment: `${name} may only use what lies below it: ${FLOORS.slice(0, i + 1).map(([n]) => n).join(', ')}`,
  severity: 'error',
  from: { path },
  to: { path: FLOORS.slice(i + 1).map(([, p]) => `(${p})`).join('|') },
}));

module.exports = {
  forbidden: [
    ...upward,
    { name: 'no-circular', severity: 'error', comment: 'no import circles', from: {}, to: { circular: true } },
    { name: 'only-engine-talks-to-dockerode', severity: 'error', from: { pathNot: '^src/engine/' }, to: { path: 'node_modules/(dockerode|docker-modem|testcontainers|@grpc)/' } },
    {
      name: 'every-source-file-has-a-floor',
      severity: 'error',
      comment: 'a new folder needs its floor in .dependency-cruiser.cjs',
      from: { path: '^src/', pathNot: ALL_FLOORS },
      to: {},
    },
    {
      name: 'nothing-imports-a-file-without-a-floor',
      severity: 'error',
      comment: 'a new folder needs its floor in .dependency-cruiser.cjs',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: ALL_FLOORS },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.d\\.ts$' },
  },
};
