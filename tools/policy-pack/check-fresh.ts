import { staleBuildReason } from "./sources";

// CI and `npm pack` guard: fails when policies/dist does not match the sources in the tree.
const reason = staleBuildReason();
if (reason) {
    process.stderr.write(`policy pack build is stale: ${reason}. Run \`npm run build:policies\`.\n`);
    process.exitCode = 1;
} else {
    process.stdout.write("policy pack build matches its sources\n");
}
