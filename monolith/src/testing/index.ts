/** The real monolith for other workspaces' tests: on port 0 over a fresh migrated database, as a
 * session issuer for the services, and users stored the legacy way. */
export { startMonolith, type RunningMonolith } from './start-monolith';
export { startSessionIssuer, type RunningSessionIssuer } from './start-session-issuer';
export { insertLegacyUser } from './legacy-user';
export { answerFrozenPastDeadline, DEADLINE_REFUSAL, freezeBeforeQuery, freshDeadline, refusalOf, sendFrozenPastDeadline, type ArmedFreeze } from './freeze-before-query';
