// `npm run demo` (the narrated walk through the app's flows lives in demo/run-demo.ts).
import { enableCompileCache } from 'node:module';

// Before the app and the stack load: their compiled code is reused from the second run on.
enableCompileCache();
await import('./demo/run-demo.ts');
