/** `--help`: the command list, and for each command its usage, summary and every option it accepts. */
import { COMMANDS, main } from '../../src/cli/main';
import { capture } from '../helpers/io';

describe('instancenorm-shim --help', () => {
  it('lists every command with its summary', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    for (const command of COMMANDS) expect(io.stdout).toMatch(new RegExp(`^  ${command.name} +${command.summary.slice(0, 20)}`, 'm'));
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s --help names each option and says what it does', async (name, command) => {
    const io = capture();
    expect(await main([name, '--help'], io)).toBe(0);
    expect(io.stdout).toContain(`usage: instancenorm-shim ${command.usage}`);
    for (const [option, spec] of Object.entries(command.options)) {
      expect(spec.help.length).toBeGreaterThan(10);
      expect(io.stdout).toMatch(new RegExp(`^  --${option}\\b.*  ${spec.help.slice(0, 15).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    }
  });

  it('--version prints the version of package.json', async () => {
    const io = capture();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.stdout).toBe(`${require('../../package.json').version}\n`);
  });

  it('an unknown option is a usage error (exit 2) that shows the usage', async () => {
    const io = capture();
    expect(await main(['docs', '--chek'], io)).toBe(2);
    expect(io.stderr).toMatch(/Unknown option '--chek'[\s\S]*usage: instancenorm-shim docs/);
  });
});
