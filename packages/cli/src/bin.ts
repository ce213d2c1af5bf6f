#!/usr/bin/env node
import module from 'node:module';

// Node keeps the compiled (and type-stripped) modules on disk between runs: a cold command then
// skips most of module loading. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();
const { runCli } = await import('./program.ts');

// Under `npm run quanta`, npm runs scripts from the repository root; act where the user is.
if (process.env.npm_lifecycle_event === 'quanta' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
const exitCode = await runCli(process.argv);
if (exitCode !== 0) process.exitCode = exitCode;
