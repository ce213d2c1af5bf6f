export * from './pg-wire-backend.ts';
export * from './pg-wire-server.ts';
export { SQLSTATE_BY_CODE, sqlStateOf } from './sqlstate.ts';
