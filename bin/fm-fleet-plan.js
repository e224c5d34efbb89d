#!/usr/bin/env node
// `npm run plan`: the plan's command line, run from the project's JavaScript build (rebuilt first when its
// sources changed; `npm run typecheck` checks the types).
require("../tools/build/project-build").requireBuilt("tools/plan/cli").main();
