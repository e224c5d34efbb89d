// The SDK warns once per process that its releases after January 2027 need Node 22; the suite runs on 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// Plans fit the report to COLUMNS when no --width is given: a developer's terminal width must not change
// what the tests read (the processes they start inherit this environment too).
delete process.env.COLUMNS;

// Tests that start the policy pack start its compiled build, and the command lines they run as processes
// run from the project's build: build each first when it is older than its sources.
import { ensureFreshPolicyPack } from "../tools/policy-pack/build";
import { ensureFreshBuild } from "../tools/build/project-build";
ensureFreshPolicyPack((reason) => process.stderr.write(`${reason}: building the policy pack\n`));
ensureFreshBuild((reason) => process.stderr.write(`${reason}: building it\n`));

// Root hooks: the plans and the documented commands that run as processes start with the suite (the suites
// that check the commands then run last); the shared pack and program worker stop after it.
import { startBackgroundSuites, stopBackgroundSuites } from "./helpers/background";
import { backgroundPlans } from "./helpers/plan-cli";
import { stopSharedPack } from "./helpers/shared-pack";
export const mochaHooks = {
    beforeAll() {
        void backgroundPlans();
        startBackgroundSuites();
    },
    async afterAll() {
        await Promise.all([stopSharedPack(), stopBackgroundSuites()]);
    },
};
