/** The implementations that serve the public API. Which serves which provider is in
 * run/provider-implementations.json, the table the matrix gates on. */
export type Implementation = 'monolith' | 'monolith-payments-over-http' | 'auth-service' | 'payments-service';

/** One implementation, started for real on port 0 with its own fresh database. */
export interface ProviderUnderTest {
  implementation: Implementation;
  /** The API being verified. */
  url: string;
  /** Where users register and log in: the side itself, or the peer whose sessions it accepts. */
  sessionsUrl: string;
  stop(): Promise<void>;
}
