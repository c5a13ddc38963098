/**
 * The store of the planned duties: inspection jobs and records, follow-up
 * visits, notices and maintenance windows, repair-and-return flows, emergency
 * response reports, their timers, and the digest's loader. Every function
 * takes the service's client or a transaction's.
 */
export * from './rows.js';
export * from './inspections.js';
export * from './follow-ups.js';
export * from './notices.js';
export * from './repairs.js';
export * from './emergency-reports.js';
export * from './duty-timers.js';
export * from './digest.js';
export * from './ticket-duties.js';
