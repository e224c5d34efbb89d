#!/usr/bin/env node
// `npm run simulate`: the simulator's command line, run from the project's JavaScript build (rebuilt first
// when its sources changed; `npm run typecheck` checks the types).
require("../tools/build/project-build").requireBuilt("tools/simulate/cli").main();
