/** 帮助: the commands for the sender's role (built from the registry: each command's help line). */
import { chatCommand, EVERYONE } from './command.js';

export const help = chatCommand({
  name: 'help',
  parse: { pattern: /^(帮助|help|\?|？|命令)$/i, args: () => ({}) },
  roles: EVERYONE,
  customerCommand: true,
  async run({ say, helpText }) {
    await say(helpText);
  },
});
