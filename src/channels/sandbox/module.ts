/** The sandbox as the service's channel list knows it: on with SANDBOX=1, or when no platform is configured. */
import type { ChannelModule } from '../module.js';
import { SandboxChannel } from './adapter.js';
import { sandboxRoutes } from './routes.js';

export const sandboxModule: ChannelModule = {
  name: 'sandbox',
  // Off when a platform is configured: nothing to say.
  off: (config) => (config.sandbox ? null : ''),
  async create(config, deps) {
    const sandbox = new SandboxChannel(deps.db, deps.clock, deps.sink);
    const timezone = config.contracts.get('default')?.timezone ?? 'Asia/Shanghai';
    if (deps.service) sandbox.routes = sandboxRoutes(sandbox, { sink: deps.sink, timezone, ...deps.service });
    return sandbox;
  },
};
