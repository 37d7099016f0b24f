export const MAIN_USAGE = `Usage: strangler <command> [options]

Operate a strangler-fig migration: see where each capability stands, move it between the monolith
and its service, and run the data-migration engine.

Commands
  status [capability]                      stage, traffic split, shadow mismatches, errors and p99
                                           of each side, breaker, sync lag
  flip <capability> --stage <stage> [--percent N]
                                           move a capability: monolith, shadow, reads, live, complete
  rollback <capability>                    back to the monolith at once (the percentage is kept)
  emergency stop|clear <capability> --reason "<why>"
                                           the rollback that needs no Unleash: every edge sends the
                                           capability to the monolith until cleared
  data <command> <capability> [options]    the data-migration engine: capture, backfill, sync,
                                           verify, status (strangler data --help)
  capture | backfill | sync | verify ...   the same as \`strangler data <command> ...\`

\`strangler <command> --help\` shows a command's options; every read command takes --json.

Configuration (environment)
  EDGE_URL                  the edge (default http://127.0.0.1:8080)
  EDGE_ADMIN_TOKEN          bearer token of the edge's /_edge/* endpoints, if it has one
  SYNC_URLS                 sync workers, comma-separated (default http://127.0.0.1:9470,http://127.0.0.1:9471;
                            SYNC_URL is read too)
  UNLEASH_URL, UNLEASH_ADMIN_TOKEN
                            flip through this Unleash server's Admin API; unset: edit FLAGS_FILE
  UNLEASH_PROJECT, UNLEASH_ENVIRONMENT   default, development
  FLAGS_FILE                the edge's local flags file (default edge/flags.json)
  MANIFESTS_DIR             the capability manifests: which exist and their flags (default manifests/)
  STRANGLER_MAX_SYNC_LAG_SECONDS   lag bound of the stage gates (default 5)
  STRANGLER_HTTP_TIMEOUT_MS        per HTTP call (default 3000)
  MONOLITH_DATABASE_URL, AUTH_DATABASE_URL, PAYMENTS_DATABASE_URL
                            the databases (data commands, and verify in the stage gates)

Exit codes: 0 done, 1 something could not be reached or failed, 2 bad input, 3 verify found
differences, 4 a stage change refused by a gate.`;

export const STATUS_USAGE = `Usage: strangler status [capability] [--window <seconds>] [--json]

Per capability: stage and rollout, the share of reads and writes the service takes, shadow on/off and
its mismatch rate, requests, error rate (5xx) and p99 of each side, the service's circuit breaker, and
each sync worker's lag. Read from the edge (EDGE_URL: /_edge/capabilities, /_edge/mismatches,
/metrics) and the sync workers (SYNC_URLS: /metrics, /health/ready).

Options
  --window <seconds>   traffic figures over this many seconds (two samples) instead of since the
                       edge started
  --json               print the report as JSON

Exit code 1 when the edge or a sync worker cannot be reached (what could be read is still shown).`;

export const FLIP_USAGE = `Usage: strangler flip <capability> --stage <stage> [--percent N] [options]

Moves a capability to a stage at a rollout percentage in one save of its flag: through the Unleash
Admin API when UNLEASH_URL and UNLEASH_ADMIN_TOKEN are set, otherwise by rewriting FLAGS_FILE
atomically. Then waits until the edge routes by it.

Stages: monolith (everyone on the monolith), shadow (reads mirrored to the service and compared),
reads (the service answers reads), live (reads and writes), complete (everyone on the service).

Before anything is written, the stage gates check that the data is ready
(docs/decisions/0009-stage-gates.md), and refuse with the reasons if not:
  sync to-service    a worker applies monolith → service, lag within the bound
                     (target stage shadow, reads, live or complete)
  sync to-monolith   a worker applies service → monolith, lag within the bound
                     (the service takes writes before or after the change: live, complete)
  verify             both databases hold the same data
                     (the service is about to serve more users, or complete is entered)

Options
  --stage <stage>        required
  --percent <0-100>      users in the rollout (default: the flag's current percentage; 100 for complete)
  --force                skip the gates (for emergencies; says which were skipped)
  --max-lag <seconds>    the lag bound (default STRANGLER_MAX_SYNC_LAG_SECONDS, 5)
  --wait <seconds>       how long to wait for the edge to apply the change (default 15; 0 = do not wait)
  --json                 print the result as JSON

Exit codes: 0 done (or nothing to change), 1 a part could not be reached, 2 bad input, 4 refused.`;

export const ROLLBACK_USAGE = `Usage: strangler rollback <capability> [options]

Sends every request of the capability back to the monolith: the same as
\`strangler flip <capability> --stage monolith\`. The flag is switched off (one change, effective at
once) and its stage payload set to monolith; the rollout percentage is kept, so a later
\`strangler flip <capability> --stage live\` moves back exactly the same users.

If the service has been taking writes (live, complete), the gate checks that the service → monolith
sync is running and caught up, so the monolith has every write; --force skips that.

Options
  --force, --max-lag <seconds>, --wait <seconds>, --json   as for flip`;

export const EMERGENCY_USAGE = `Usage: strangler emergency stop <capability> --reason "<why>" [--by <who>] [--json]
       strangler emergency clear <capability> [--json]

The rollback that needs no Unleash (and no gates): every edge (EDGE_URL) is told to send every request
of the capability to the monolith, whatever its flag says, until \`emergency clear\`. Each edge keeps it
across restarts (EDGE_EMERGENCY_FILE). It moves writes without the write fence: keep the to-monolith
sync running so the service's last writes reach the monolith, and use \`strangler rollback\` once
Unleash answers again (then clear the stop).

  --reason <text>   why (required for stop; shown on every edge and in status)
  --by <who>        who (default: your user name)

Exit codes: 0 every edge took it, 1 some edge did not (listed: it still routes by the flag), 2 bad input.`;
