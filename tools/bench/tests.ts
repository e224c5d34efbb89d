import { spawn } from "child_process";
import { mkdtempSync, readFileSync } from "fs";
import { loadavg, tmpdir } from "os";
import * as path from "path";
import { Command } from "commander";
import { PROJECT_ROOT } from "../project-root";

/**
 * `npm run bench:tests`: times `npm test`, the whole suite as CI runs it, in wall time and in CPU time (user
 * + sys of every process of the run: mocha, its worker threads, the policy packs and every plan, shell block
 * and server it starts), with the load average around it. On a machine others use, wall time follows the
 * load and CPU time much less, so `--baseline <dir>` runs another checkout's suite (with its dependencies
 * installed) back to back, alternating, and prints the ratios.
 */
export interface TestRun {
    readonly checkout: string;
    readonly wallS: number;
    readonly userS: number;
    readonly sysS: number;
    readonly passing: number;
    readonly failing: number;
    readonly exitCode: number;
    /** 1-minute load averages when the run started and ended. */
    readonly load: readonly [number, number];
}

/** Seconds from one of bash's `times` figures (`1m2.345s`). */
export function timesSeconds(figure: string): number {
    const match = /^(\d+)m([\d.]+)s$/.exec(figure.trim());
    if (!match) throw new Error(`not a bash \`times\` figure: ${figure}`);
    return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * The children's user and sys seconds from bash's `times` output (its second line: every process the shell
 * waited for, and what those waited for).
 */
export function childrenTimes(output: string): { userS: number; sysS: number } {
    const lines = output.trim().split("\n");
    const [user, sys] = lines[lines.length - 1].trim().split(/\s+/);
    return { userS: timesSeconds(user), sysS: timesSeconds(sys) };
}

/** Mocha's own closing counts (spec reporter): `N passing`, `N failing`. */
export function mochaCounts(log: string): { passing: number; failing: number } {
    const count = (word: string) =>
        Number(/^ +(\d+) /m.exec(log.match(new RegExp(`^ +\\d+ ${word}`, "m"))?.[0] ?? "")?.[1] ?? 0);
    return { passing: count("passing"), failing: count("failing") };
}

/** Runs `npm test` in `checkout`, its output to a log file; resolves with the figures. */
export function runSuite(checkout: string): Promise<TestRun> {
    const log = path.join(mkdtempSync(path.join(tmpdir(), "fm-fleet-bench-tests-")), "npm-test.log");
    const script = `npm test > ${JSON.stringify(log)} 2>&1; status=$?; times; exit $status`;
    const loadBefore = loadavg()[0];
    const started = performance.now();
    return new Promise((resolve, reject) => {
        const child = spawn("bash", ["-c", script], { cwd: checkout, stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.on("error", reject);
        child.on("close", (code) => {
            const wallS = (performance.now() - started) / 1000;
            try {
                resolve({
                    checkout,
                    wallS,
                    ...childrenTimes(out),
                    ...mochaCounts(readFileSync(log, "utf8")),
                    exitCode: code ?? 1,
                    load: [loadBefore, loadavg()[0]],
                });
            } catch (e) {
                reject(e);
            }
        });
    });
}

const s = (n: number) => `${n.toFixed(1)} s`;

export function describeRun(r: TestRun): string {
    const cpu = r.userS + r.sysS;
    return (
        `${path.relative(process.cwd(), r.checkout) || "."}: wall ${s(r.wallS)}, CPU ${s(cpu)} ` +
        `(user ${s(r.userS)}, sys ${s(r.sysS)}; ${(cpu / r.wallS).toFixed(2)} cores busy on average), ` +
        `${r.passing} passing, ${r.failing} failing, exit ${r.exitCode}; ` +
        `load average ${r.load[0].toFixed(1)} -> ${r.load[1].toFixed(1)}`
    );
}

async function main(): Promise<void> {
    const program = new Command("bench:tests")
        .description("Time `npm test` (wall and CPU), optionally against another checkout run back to back.")
        .option("--baseline <dir>", "another checkout of the project, dependencies installed, to run alternately")
        .option("--runs <n>", "runs of each checkout", (v) => Number(v), 1)
        .parse(process.argv);
    const { baseline, runs } = program.opts<{ baseline?: string; runs: number }>();
    const current: TestRun[] = [];
    const before: TestRun[] = [];
    for (let i = 0; i < runs; i++) {
        if (baseline) {
            before.push(await runSuite(path.resolve(baseline)));
            console.log(describeRun(before[before.length - 1]));
        }
        current.push(await runSuite(PROJECT_ROOT));
        console.log(describeRun(current[current.length - 1]));
    }
    if (baseline) {
        const sum = (rs: TestRun[], f: (r: TestRun) => number) => rs.reduce((a, r) => a + f(r), 0);
        const wall = sum(current, (r) => r.wallS) / sum(before, (r) => r.wallS);
        const cpu = sum(current, (r) => r.userS + r.sysS) / sum(before, (r) => r.userS + r.sysS);
        console.log(`this checkout / baseline: wall ${wall.toFixed(2)}x, CPU ${cpu.toFixed(2)}x`);
    }
    if (current.some((r) => r.exitCode !== 0)) process.exitCode = 1;
}

if (require.main === module) void main();
