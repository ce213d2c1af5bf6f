import { benchWorkflow } from '/work/main/bench/workflow.bench.ts';
console.log(JSON.stringify(await benchWorkflow(), null, 1));
