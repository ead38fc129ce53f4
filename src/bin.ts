#!/usr/bin/env node
/** The `layerbench` executable: the command line of cli.ts, for this process. */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
