/** The auth service for other workspaces' tests: in-process on port 0 over a fresh migrated database,
 * or the compiled monolith and services as processes wired the way `npm start` wires them. */
export { startAuthService, type AuthServiceOptions, type RunningAuthService } from './start-auth-service';
export { stackProcesses, warnings, type Deployable, type StackProcesses } from './stack-processes';
