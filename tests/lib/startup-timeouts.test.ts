import * as assert from "node:assert/strict";
import { findInstanceType } from "../../lib/catalog";
import {
    STARTUP_TIMEOUT_HEADROOM,
    STARTUP_TIMEOUT_RANGE,
    startupTimeouts,
} from "../../lib/performance/startup-timeouts";
import { S3_DOWNLOAD_GB_PER_SECOND } from "../../lib/performance/cold-start";

const g6 = findInstanceType("ml.g6.2xlarge")!;

describe("startup timeouts (lib/performance/startup-timeouts)", () => {
    it("gives the download and load estimates 3x headroom, rounded up to whole minutes", () => {
        assert.equal(STARTUP_TIMEOUT_HEADROOM, 3);
        const t = startupTimeouts(140, [g6])!;
        assert.equal(t.modelDataDownloadTimeoutInSeconds, Math.ceil(((140 / S3_DOWNLOAD_GB_PER_SECOND) * 3) / 60) * 60);
        assert.equal(t.modelDataDownloadTimeoutInSeconds, 1980);
        assert.equal(t.containerStartupHealthCheckTimeoutInSeconds, 540);
    });

    it("stays within the API's 60-3600 s, and needs at least one known type", () => {
        assert.deepEqual(STARTUP_TIMEOUT_RANGE, [60, 3600]);
        assert.deepEqual(startupTimeouts(0.5, [g6]), {
            modelDataDownloadTimeoutInSeconds: 60,
            containerStartupHealthCheckTimeoutInSeconds: 120,
        });
        assert.equal(startupTimeouts(810, [g6])!.modelDataDownloadTimeoutInSeconds, 3600);
        assert.equal(startupTimeouts(16, []), undefined);
    });

    it("grows with the weights: a 70B model needs longer than an 8B", () => {
        const small = startupTimeouts(16, [g6])!;
        const large = startupTimeouts(140, [g6])!;
        assert.ok(large.modelDataDownloadTimeoutInSeconds > small.modelDataDownloadTimeoutInSeconds);
        assert.ok(
            large.containerStartupHealthCheckTimeoutInSeconds > small.containerStartupHealthCheckTimeoutInSeconds,
        );
    });
});
