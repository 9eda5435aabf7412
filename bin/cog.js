#!/usr/bin/env node
// The installed `cog` (and `cogpack`) command. All behaviour lives in src/cli.ts.
import { runCli } from '../dist/cli.js';

await runCli(process.argv.slice(2));
