import { COLLECTION_FUNCTIONS } from './collection-functions.ts';
import { CORE_FUNCTIONS } from './core-functions.ts';
import { HTTP_FUNCTIONS } from './http-functions.ts';
import type { StdlibFunction } from './stdlib-function.ts';
import { SYSTEM_FUNCTIONS } from './system-functions.ts';
import { TEXT_FUNCTIONS } from './text-functions.ts';

/** Every standard library function Quanta runs, by its Cloud Workflows name. */
export const STANDARD_LIBRARY: ReadonlyMap<string, StdlibFunction> = new Map(
  [...CORE_FUNCTIONS, ...TEXT_FUNCTIONS, ...COLLECTION_FUNCTIONS, ...SYSTEM_FUNCTIONS, ...HTTP_FUNCTIONS].map(
    (fn) => [fn.name, fn],
  ),
);
