/**
 * Simulated process death at one exact instruction: the client call matching the predicate throws
 * instead of being sent (as if the process died right before it), or runs an action first (as if
 * a producer wrote to the stream at that moment). Used to prove that the next run finishes the work.
 */
import type { Deps } from '../../src/deps.js';

class SimulatedCrash extends Error {
  public constructor(what: string) {
    super(`simulated crash before ${what}`);
    this.name = 'SimulatedCrash';
  }
}

interface SentCommand {
  readonly constructor: { readonly name: string };
  readonly input: Record<string, unknown>;
}

type Predicate = (command: SentCommand) => boolean;

/** Makes the first call matching `predicate` (on any client of `deps`) throw; returns whether it fired. */
function crashBefore(deps: Deps, predicate: Predicate): { fired: () => boolean } {
  let fired = false;
  intercept(deps, async (command) => {
    if (fired || !predicate(command)) return;
    fired = true;
    throw new SimulatedCrash(`${command.constructor.name} ${JSON.stringify(command.input).slice(0, 120)}`);
  });
  return { fired: () => fired };
}

/** Runs `action` once, just before the first call matching `predicate` is sent. */
function doBefore(deps: Deps, predicate: Predicate, action: () => Promise<void> | void): { fired: () => boolean } {
  let fired = false;
  intercept(deps, async (command) => {
    if (fired || !predicate(command)) return;
    fired = true;
    await action();
  });
  return { fired: () => fired };
}

function intercept(deps: Deps, before: (command: SentCommand) => Promise<void>): void {
  for (const client of [deps.clients.logs, deps.clients.s3, deps.clients.lambda] as unknown as {
    send: (command: SentCommand, ...rest: unknown[]) => Promise<unknown>;
  }[]) {
    const original = client.send.bind(client);
    client.send = async (command, ...rest) => {
      await before(command);
      return original(command, ...rest);
    };
  }
}

/** Predicates by command name and, optionally, a key fragment or input field. */
const command =
  (name: string, where: (input: Record<string, unknown>) => boolean = () => true): Predicate =>
  (c) =>
    c.constructor.name === `${name}Command` && where(c.input);
const s3Put = (keyFragment: string, where: (body: string) => boolean = () => true): Predicate =>
  command('PutObject', (input) => String(input.Key).includes(keyFragment) && where(bodyText(input.Body)));

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) {
    try {
      return Buffer.from(body).toString('utf8');
    } catch {
      return '';
    }
  }
  return '';
}

export { SimulatedCrash, command, crashBefore, doBefore, s3Put };
