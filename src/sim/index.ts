/**
 * A deterministic simulated Poloniex exchange for tests and demos: the legacy push API or the
 * current ("v3") API, REST and websocket on one loopback port, scripted faults, and an oracle of
 * what a correct client prints.
 */
export type { SimConnectionLog } from './connection.js';
export { defaultSimOptions, parseFault, type SimApi, type SimFault, type SimOptions } from './options.js';
export { startSimulator, type SimServer } from './server.js';
