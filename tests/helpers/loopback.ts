import { FakeSageMakerRuntime } from "../../tools/loopback/sagemaker-runtime-server";

/**
 * A loopback SageMaker runtime for a suite: started before it, with static test credentials in the
 * environment (the SDK's own default chain finds them), reset before each test, stopped after.
 */
export function loopbackRuntime(): FakeSageMakerRuntime {
    const server = new FakeSageMakerRuntime();
    const saved = { ...process.env };
    before(async () => {
        await server.start();
        process.env.AWS_ACCESS_KEY_ID = "AKIDFMFLEETTEST";
        process.env.AWS_SECRET_ACCESS_KEY = "test-secret";
    });
    after(async () => {
        process.env = saved;
        await server.stop();
    });
    beforeEach(() => server.reset());
    return server;
}
