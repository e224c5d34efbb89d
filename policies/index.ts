import { PolicyPack } from "@pulumi/policy";
import { checkoutOf, staleBuildReason } from "./support/build-stamp";
import { policies } from "./policies";

// Loaded from a checkout (`pulumi preview --policy-pack policies`), the compiled pack refuses to run older
// than its sources: a guardrail must never enforce yesterday's rules without saying so. A published pack
// carries no sources and skips this.
const checkout = __filename.endsWith(".js") ? checkoutOf(__dirname) : undefined;
const stale = checkout && staleBuildReason(checkout);
if (stale) throw new Error(`fm-fleet-guardrails: ${stale}. Run \`npm run build:policies\`, then try again.`);

// Constructing the pack starts the analyzer server and prints its port: nothing may print before it.
new PolicyPack("fm-fleet-guardrails", { policies });
