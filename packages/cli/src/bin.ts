#!/usr/bin/env node
import { runCli } from './program.ts';

// Under `npm run quanta`, npm runs scripts from the repository root; act where the user is.
if (process.env.npm_lifecycle_event === 'quanta' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
const exitCode = await runCli(process.argv);
if (exitCode !== 0) process.exitCode = exitCode;
