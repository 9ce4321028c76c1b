export * from './errno.js';
export * from './signal.js';
export * from './clone.js';
export * from './wait.js';
export * from './prctl.js';
export * from './pidfd.js';
export * from './limits.js';
export * from './constants.js';
