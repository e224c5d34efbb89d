/**
 * Suites whose slow part runs as processes of its own, started with the run (the root hook in
 * tests/setup.ts), so its seconds overlap the rest of the suite on the second core instead of adding to
 * it. Such a suite runs last, and its tests wait for that work and check it. Only suites of the files
 * mocha loaded register, so running some files starts nothing for the others.
 */
const registered: { suite: Mocha.Suite; start: () => unknown; stop?: () => Promise<unknown> }[] = [];

/**
 * Registers `suite` (what `describe` returns) to start `start` with the run and to run last; `stop` runs
 * after the whole run (the root hook), not when the work ends, so nothing it stops changes under a test
 * running meanwhile (a test spying on ProgramWorker.stop, say).
 */
export function runsInBackground(suite: Mocha.Suite, start: () => unknown, stop?: () => Promise<unknown>): void {
    registered.push({ suite, start, stop });
}

/** Stops what the registered work left running: the root hook calls it after the run. */
export async function stopBackgroundSuites(): Promise<void> {
    await Promise.all(registered.map(({ stop }) => stop?.()));
}

/** Starts the registered work and moves each suite to the end of its parent's: the root hook calls it. */
export function startBackgroundSuites(): void {
    for (const { suite, start } of registered) {
        void start();
        const siblings = suite.parent?.suites;
        if (!siblings) continue;
        siblings.splice(siblings.indexOf(suite), 1);
        siblings.push(suite);
    }
}
