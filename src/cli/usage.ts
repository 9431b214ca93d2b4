import { DYNAMIC_CONFIG_SETTINGS } from '../common/dynamic-config';
import { SETTABLE_PRAGMAS } from '../store/sqlite/pragmas';
import { SEARCH_ATTRIBUTE_TYPES } from '../visibility/search-attribute-type';
import { DEFAULT_IP, DEFAULT_PORT, OUTPUT_FORMATS, UI_PORT_OFFSET } from './args';
import { IGNORED_FLAGS } from './ignored-flags';

const VALUE_TYPE = { string: 'string', bool: '', duration: 'duration', enum: 'string' } as const;

/** One help line per flag accepted without effect, with the reason and, for an enum, its values. */
function ignoredFlagLines(): string {
  return Object.entries(IGNORED_FLAGS)
    .map(([name, { value, reason }]) => {
      const flag = `      --${name} ${VALUE_TYPE[value.kind]}`.padEnd(41);
      const choices = value.kind === 'enum' ? `${value.choices.join(', ')}; ` : '';
      return `${flag}${choices}no effect: ${reason}`;
    })
    .join('\n');
}

/** The help texts of `hourglass`, `hourglass server` and `hourglass server start-dev`. */
export const ROOT_USAGE = `Hourglass: a Temporal-compatible server.

Usage:
  hourglass server start-dev [flags]      Start a development server (same flags as "temporal server start-dev")
  hourglass workflow list|describe|show   Read workflows from a server, as "temporal workflow …" ("hourglass workflow --help")
  hourglass <port> [args]                 Start a time-skipping test server (as "temporal-test-server <port>")
  hourglass --help                        Show this help
  hourglass --version                     Show the version

Run "hourglass server start-dev --help" for the server's flags.
`;

export const SERVER_USAGE = `Usage:
  hourglass server start-dev [flags]

Commands:
  start-dev   Start a development server

Run "hourglass server start-dev --help" for the server's flags.
`;

export const START_DEV_USAGE = `Start a Temporal-compatible development server.

Usage:
  hourglass server start-dev [flags]

Flags:
  -p, --port int                     gRPC frontend port; 0 picks a free port (default ${DEFAULT_PORT})
      --ip string                    IP address to bind to (default ${DEFAULT_IP})
  -n, --namespace string             Namespace to create besides "default" (repeatable)
  -f, --db-filename string           SQLite file to persist to (default: in-memory)
      --headless                     Disable the Web UI
      --ui-port int                  Web UI port (default: the gRPC port + ${UI_PORT_OFFSET}, a free port with --port 0)
      --ui-ip string                 IP address the Web UI binds to (default: --ip)
      --ui-codec-endpoint string     Codec server URL the Web UI sends payloads to for decoding (URL/decode)
      --ui-asset-path string         Folder of a built Web UI to serve instead of Hourglass's own
      --log-format string            text, json or pretty (default "text")
      --log-level string             debug, info, warn, error, fatal or never (default "warn")
      --log-config                   Print the server configuration (JSON) to stderr at start-up
  -o, --output string                ${OUTPUT_FORMATS.join(', ')}: "text" prints the ready line, the others do not
                                     (default: the ready line only when stdout is a terminal or --log-level is info/debug)
      --dynamic-config-value string  KEY=VALUE dynamic config, VALUE as JSON (string values need quotes; repeatable);
                                     honoured keys (others are accepted and ignored):
${Object.keys(DYNAMIC_CONFIG_SETTINGS)
  .map((key) => `                                       ${key}`)
  .join('\n')}
      --search-attribute string      NAME=TYPE search attribute (repeatable); TYPE is one of
                                     ${SEARCH_ATTRIBUTE_TYPES.join(', ')}
      --http-port int                HTTP API port (default: a free port)
      --http-cors-origin string      Browser origin allowed to call the HTTP API, e.g. http://localhost:3000, or *
                                     (repeatable; default: none, no CORS headers are sent)
      --metrics-port int             Metrics port (accepted, unused)
      --tls-cert-path string         Server certificate (PEM): gRPC, HTTP API and UI over TLS (needs --tls-key-path)
      --tls-key-path string          Private key of the certificate (PEM)
      --tls-ca-path string           CA (PEM) signing client certificates: clients without one are refused (mTLS)
      --api-key string               KEY or KEY=namespace[,namespace…]: calls must send "authorization: Bearer KEY"
                                     (the SDKs' apiKey); a key with namespaces acts on those only (repeatable)
      --sqlite-pragma string         KEY=VALUE SQLite pragma, KEY one of ${SETTABLE_PRAGMAS.join(', ')} (repeatable)
      --time-skipping                Virtual clock that skips to the next timer when idle, with Temporal's TestService
  -h, --help                         Show this help

Accepted for compatibility with "temporal server start-dev" and the Temporal CLI's global flags (values are checked):
${ignoredFlagLines()}
`;
