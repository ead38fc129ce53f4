/** The modern engine the specs build on: its implementation is shared with `npm run bench:overhead`. */
export * from '../../src/bench/modern-engine.js';
