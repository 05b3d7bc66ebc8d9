/**
 * Reads `--name value` and bare `--flag` arguments into a map (a bare flag is `'true'`).
 * `--help` prints `help` and exits; anything else not starting with `--` is an error.
 */
export function readFlags(argv: string[], help: string): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      console.log(help);
      process.exit(0);
    }
    if (!a.startsWith('--')) throw new Error(`Unexpected argument ${a}\n${help}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(a.slice(2), 'true');
    else {
      flags.set(a.slice(2), next);
      i++;
    }
  }
  return flags;
}
