// The SDK warns once per process that its releases after January 2027 need Node 22; the suite runs on 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

// Tests that start the policy pack start its compiled build: build it first when it is older than its sources.
import { ensureFreshPolicyPack } from "../tools/policy-pack/build";
ensureFreshPolicyPack((reason) => process.stderr.write(`${reason}: building the policy pack\n`));

// Root hooks: the plans that run as processes start with the suite; the shared pack stops after it.
import { backgroundPlans } from "./helpers/plan-cli";
import { stopSharedPack } from "./helpers/shared-pack";
export const mochaHooks = {
    beforeAll() {
        void backgroundPlans();
    },
    afterAll: stopSharedPack,
};
