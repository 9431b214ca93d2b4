/**
 * The Temporal CLI takes its global flags before the command too (`temporal --color never server start-dev`), while
 * our parsers read a command's flags after it. Leading flags therefore move behind the command, where the command's
 * parser validates them like any other (an unknown one still exits 2).
 */
const COMMANDS: ReadonlyArray<readonly [string, ReadonlySet<string>]> = [
  ['server', new Set(['start-dev'])],
  ['workflow', new Set(['list', 'describe', 'show'])],
];

export function commandFirst(argv: readonly string[]): readonly string[] {
  if (!argv[0]?.startsWith('-')) return argv;
  for (let at = 1; at < argv.length - 1; at++) {
    const [command, subcommand] = [argv[at], argv[at + 1]];
    if (COMMANDS.some(([name, subcommands]) => name === command && subcommands.has(subcommand ?? ''))) {
      return [...argv.slice(at, at + 2), ...argv.slice(at + 2), ...argv.slice(0, at)];
    }
  }
  return argv;
}
