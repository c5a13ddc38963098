/** Entry point for `node dist/server.js` and `npm run dev`. */
import { main } from './main.js';

await main();
