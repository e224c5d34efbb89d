import { HOURS_PER_MONTH } from "../../lib/catalog";
import type { SimEndpoint, SimFleet, SimModel } from "./declared-fleet";
import { WeightedHistogram } from "./histogram";
import { retryOffsetsSeconds, retryWaitSeconds, SCALING_RULES } from "./scaling-rules";
import { DEFAULT_TOKENS, seriesKey, Trace } from "./trace";

/** How the fleet stands when the trace starts. */
export type StartWith = "idle" | "min" | "max";

/** Options of {@link simulateFleet}. */
export interface SimulationOptions {
    /**
     * `idle`: copies and instances at the floor the scalers reach when nobody calls (a scale-to-zero model at
     * zero). `min`: as just deployed: at least one copy per model (CreateInferenceComponent rejects a copy
     * count of 0), which scales in when idle. `max`: every model at its most copies, every endpoint at its most
     * instances. @default "idle"
     */
    readonly startWith?: StartWith;
    /** The client's wait for capacity (runtime/cold-start.ts). @default its defaults: 10 min budget, 2-30 s backoff */
    readonly retry?: { readonly budgetMs?: number; readonly initialDelayMs?: number; readonly maxDelayMs?: number };
    /** Points kept for the chart. @default 720 */
    readonly chartPoints?: number;
}

/** Waits of a kind of delay, in seconds; `null` figures mean nothing waited. */
export interface WaitStats {
    readonly count: number;
    readonly p50: number | null;
    readonly p95: number | null;
    readonly p99: number | null;
    readonly max: number | null;
}

/** What one model saw. */
export interface ModelResult {
    readonly endpoint: string;
    readonly model: string;
    readonly requests: number;
    readonly served: number;
    /** Requests that met zero copies and waited for a start (served or not). */
    readonly coldStarts: number;
    /** Requests whose wait for a start ran past the client's budget: `fm-fleet invoke` fails them. */
    readonly coldStartTimeouts: number;
    /** Requests still queued or waiting when the window ended. */
    readonly unfinished: number;
    readonly coldStartWaitSeconds: WaitStats;
    readonly queueWaitSeconds: WaitStats;
    /** Queueing + cold wait + TTFT + output tokens / tokens per second. */
    readonly latencySeconds: WaitStats;
    /** Starts of a copy while the model had none serving: each one is a cold start callers may meet. */
    readonly wakes: number;
    readonly copies: { readonly min: number; readonly max: number; readonly mean: number };
    readonly slo: SloResult | undefined;
    readonly performanceSource: string;
    /** The figure the model's cold start is judged against: a copy on a new instance, end to end. */
    readonly coldStartEstimateSeconds: number;
}

/** A model's SLO as met by the simulated requests. */
export interface SloResult {
    /** Share of served requests whose time to first token (queueing + cold wait + TTFT) met `ttftMs`. */
    readonly ttftMet: number | null;
    /** Whether the model's tokens per second meets `tokensPerSecond` (the same for every request here). */
    readonly tokensPerSecondMet: boolean | null;
    /** Share of cold-started requests that waited at most `maxColdStartSeconds`. */
    readonly coldStartMet: number | null;
    readonly declared: { ttftMs?: number; tokensPerSecond?: number; maxColdStartSeconds?: number };
}

/** What one endpoint ran and cost. */
export interface EndpointResult {
    readonly endpoint: string;
    readonly instanceType: string;
    readonly instanceHours: number;
    /** `null` when the instance type has no price. */
    readonly costUsd: number | null;
    readonly instances: { readonly min: number; readonly max: number; readonly mean: number };
}

/** Points for the chart: one per bucket of minutes. */
export interface SimulationSeries {
    readonly minutesPerPoint: number;
    /** Requests that arrived in each bucket, fleet-wide. */
    readonly requests: Float64Array;
    /** Copies serving at the end of each bucket, fleet-wide. */
    readonly copies: Float64Array;
    /** Instances running (or starting) at the end of each bucket, fleet-wide. */
    readonly instances: Float64Array;
    /** Requests that met a cold start in each bucket. */
    readonly coldStarts: Float64Array;
    /** Cost so far at the end of each bucket, in USD. */
    readonly costUsd: Float64Array;
}

/** The outcome of a simulation. */
export interface SimulationResult {
    readonly minutes: number;
    readonly startWith: StartWith;
    /** Cost of the window (priced endpoints only; `unpriced` names the rest). */
    readonly costUsd: number;
    /** The window's cost at the same rate for a 730-hour month. */
    readonly monthlyUsd: number;
    readonly unpriced: string[];
    readonly instanceHours: Record<string, number>;
    readonly requests: number;
    readonly served: number;
    readonly coldStarts: number;
    readonly coldStartTimeouts: number;
    readonly coldStartWaitSeconds: WaitStats;
    readonly queueWaitSeconds: WaitStats;
    readonly latencySeconds: WaitStats;
    readonly endpoints: EndpointResult[];
    readonly models: ModelResult[];
    readonly series: SimulationSeries;
}

interface Instance {
    readyAt: number;
    freeSlots: number;
    /** When it last held no copy (it may be released after the idle delay); -1 while it holds one. */
    idleSince: number;
}

interface Copy {
    readyAt: number;
    instance: Instance;
}

interface ColdGroup {
    /** Time of the first attempt. */
    at: number;
    count: number;
    inputTokens: number;
    outputTokens: number;
}

/** A model's state as the simulation runs. */
class ModelState {
    desired: number;
    /** Copies placed on an instance, ready or starting. */
    readonly copies: Copy[] = [];
    ready = 0;
    /** Copies waiting for an instance. */
    pending = 0;
    /** When the model last went from no serving copy to one. */
    readySince = 0;
    backlog = 0;
    cold: ColdGroup[] = [];
    coldHead = 0;
    // Target tracking's datapoints: the high alarm's period, the low alarm's minutes.
    highSum = 0;
    highTicks = 0;
    readonly highPoints = new Datapoints(SCALING_RULES.scaleOutDatapoints);
    lowSum = 0;
    lowTicks = 0;
    readonly lowPoints = new Datapoints(SCALING_RULES.scaleInDatapoints);
    lastScaleOut = -Infinity;
    lastScaleIn = -Infinity;
    // The wake alarm's datapoints (failures per period) and its last action.
    failuresThisPeriod = 0;
    readonly wakePoints: Datapoints;
    alarmSince = -1;
    lastWakeInvoke = -Infinity;
    lastWake = -Infinity;
    // Results.
    requests = 0;
    served = 0;
    coldStarts = 0;
    coldTimeouts = 0;
    wakes = 0;
    copySeconds = 0;
    minCopies = Infinity;
    maxCopies = 0;
    readonly coldWait = new WeightedHistogram();
    readonly queueWait = new WeightedHistogram();
    readonly latency = new WeightedHistogram();
    readonly ttft = new WeightedHistogram();

    constructor(
        readonly model: SimModel,
        readonly series: { requests: Float64Array; inputTokens: Float64Array; outputTokens: Float64Array } | undefined,
    ) {
        this.desired = model.copies.min;
        this.wakePoints = new Datapoints(model.wake?.evaluationPeriods ?? 1);
    }
}

const stats = (h: WeightedHistogram): WaitStats => ({
    count: h.count,
    p50: h.quantile(0.5) ?? null,
    p95: h.quantile(0.95) ?? null,
    p99: h.quantile(0.99) ?? null,
    max: h.count > 0 ? h.max : null,
});

/** The last `size` datapoints of an alarm's metric, without allocating as they come and go. */
class Datapoints {
    private readonly values: Float64Array;
    private next = 0;
    length = 0;

    constructor(readonly size: number) {
        this.values = new Float64Array(size);
    }

    push(value: number): void {
        this.values[this.next] = value;
        this.next = (this.next + 1) % this.size;
        if (this.length < this.size) this.length++;
    }

    clear(): void {
        this.length = 0;
    }

    /** The latest datapoint. */
    last(): number {
        return this.values[(this.next + this.size - 1) % this.size];
    }

    full(): boolean {
        return this.length === this.size;
    }

    /** How many of the datapoints pass `test`. */
    count(test: (value: number) => boolean): number {
        let n = 0;
        for (let i = 0; i < this.length; i++) if (test(this.values[(this.next + this.size - 1 - i) % this.size])) n++;
        return n;
    }

    allAbove(limit: number): boolean {
        for (let i = 0; i < this.length; i++) if (!(this.values[i] > limit)) return false;
        return true;
    }

    allBelow(limit: number): boolean {
        for (let i = 0; i < this.length; i++) if (!(this.values[i] < limit)) return false;
        return true;
    }
}

/**
 * Replays a trace through the fleet's declared scaling, in steps of 10 s (the high-resolution metric's
 * period: no scaler sees anything faster), with arrivals spread evenly over each minute and requests
 * handled in aggregate (a fluid queue per model), so the cost is linear in the window's length and
 * independent of the traffic's volume. Copy and instance starts land at their exact second, checked each
 * step. See docs/simulator.md for each rule and its source.
 */
export function simulateFleet(fleet: SimFleet, trace: Trace, options: SimulationOptions = {}): SimulationResult {
    const rules = SCALING_RULES;
    const dt = rules.tickSeconds;
    const ticksPerMinute = 60 / dt;
    const startWith = options.startWith ?? "idle";
    const offsets = retryOffsetsSeconds(
        options.retry?.budgetMs,
        options.retry?.initialDelayMs,
        options.retry?.maxDelayMs,
    );
    const budgetSeconds = offsets[offsets.length - 1] ?? 0;
    const minutes = trace.minutes;
    const ticks = minutes * ticksPerMinute;
    const minutesPerPoint = Math.max(1, Math.ceil(minutes / (options.chartPoints ?? 720)));
    const points = Math.max(1, Math.ceil(minutes / minutesPerPoint));
    const series: SimulationSeries = {
        minutesPerPoint,
        requests: new Float64Array(points),
        copies: new Float64Array(points),
        instances: new Float64Array(points),
        coldStarts: new Float64Array(points),
        costUsd: new Float64Array(points),
    };

    const endpoints = fleet.endpoints.map((e) => {
        const models = e.models.map((m) => new ModelState(m, trace.series.get(seriesKey(e.name, m.name))));
        return {
            e,
            models,
            instances: [] as Instance[],
            instanceSeconds: 0,
            minInstances: Infinity,
            maxInstances: 0,
            lastConsolidation: 0,
            costUsd: 0,
        };
    });

    // The starting state: copies placed and ready, instances running since before the window.
    for (const ep of endpoints) {
        for (const m of ep.models) {
            const c = m.model.copies;
            m.desired = startWith === "max" ? c.max : startWith === "min" ? Math.max(1, c.min) : c.min;
            m.pending = m.desired;
        }
        const floor = startWith === "max" ? ep.e.instances.max : ep.e.instances.min;
        for (let i = 0; i < floor; i++)
            ep.instances.push({ readyAt: -Infinity, freeSlots: ep.e.slotsPerInstance, idleSince: 0 });
        place(ep, -Infinity, true);
        for (const m of ep.models) {
            for (const copy of m.copies) copy.readyAt = -Infinity;
            m.ready = m.copies.length;
            m.readySince = -Infinity;
        }
    }

    const pointCost = new Float64Array(points);
    // Endpoints share nothing (each has its own instances and models): each replays the whole window in turn.
    for (const ep of endpoints) {
        for (let minute = 0; minute < minutes; minute++) {
            const t0 = minute * 60;
            // A calm minute (nothing starting, nobody waiting or queued, no alarm about to act) is one step:
            // its six 10 s steps would be identical. Anything else runs in 10 s steps.
            const calm = isCalm(ep, minute, t0);
            const substeps = calm ? 1 : ticksPerMinute;
            const n = calm ? ticksPerMinute : 1;
            for (let k = 0; k < substeps; k++) {
                const t = t0 + k * dt;
                const span = n * dt;
                const minuteEnds = k === substeps - 1;
                // Copies that finished starting serve from now.
                for (const m of ep.models) {
                    if (m.ready === m.copies.length) continue;
                    let ready = 0;
                    let earliest = Infinity;
                    for (const c of m.copies) {
                        if (c.readyAt <= t) {
                            ready++;
                            if (c.readyAt < earliest) earliest = c.readyAt;
                        }
                    }
                    if (m.ready === 0 && ready > 0) {
                        m.readySince = earliest;
                        m.wakes++;
                    }
                    m.ready = ready;
                }
                for (const m of ep.models) step(m, t, minute, n, minuteEnds);
                // A calm minute's scale-in decision (at its end) applies now, not a minute late.
                if (!calm || ep.models.some((m) => m.desired !== m.copies.length + m.pending)) reconcile(ep, t);
                if (minuteEnds) releaseInstances(ep, t);
                const running = ep.instances.length;
                ep.instanceSeconds += running * span;
                if (running < ep.minInstances) ep.minInstances = running;
                if (running > ep.maxInstances) ep.maxInstances = running;
                const usd = ((ep.e.usdPerHour ?? 0) * running * span) / 3600;
                ep.costUsd += usd;
                pointCost[Math.floor(minute / minutesPerPoint)] += usd;
                for (const m of ep.models) {
                    m.copySeconds += m.ready * span;
                    if (m.ready < m.minCopies) m.minCopies = m.ready;
                    if (m.ready > m.maxCopies) m.maxCopies = m.ready;
                }
            }
            if ((minute + 1) % minutesPerPoint === 0 || minute === minutes - 1) {
                const point = Math.floor(minute / minutesPerPoint);
                series.instances[point] += ep.instances.length;
                for (const m of ep.models) series.copies[point] += m.ready;
            }
        }
    }
    for (let i = 0, total = 0; i < points; i++) series.costUsd[i] = total += pointCost[i];
    // Summed here, not as the loop runs: a number the step functions share would be boxed at every step.
    const costUsd = endpoints.reduce((n, ep) => n + ep.costUsd, 0);

    /** Whether a minute of an endpoint can run as one step: see the loop above. */
    function isCalm(ep: (typeof endpoints)[number], minute: number, t0: number): boolean {
        for (const i of ep.instances) if (i.readyAt > t0 - dt && i.readyAt < t0 + 60) return false;
        for (const m of ep.models) {
            if (m.pending > 0 || m.ready !== m.copies.length || m.desired !== m.copies.length) return false;
            if (m.coldHead < m.cold.length || m.backlog > 0 || m.alarmSince >= 0 || m.failuresThisPeriod > 0)
                return false;
            if (m.highTicks > 0 || (m.lowTicks > 0 && t0 % 60 !== 0)) return false;
            const requests = m.series ? m.series.requests[minute] : 0;
            if (requests > 0) {
                if (m.ready === 0) return false;
                const p = m.model.performance;
                const outTokens = m.series!.outputTokens[minute] / requests;
                const concurrency = (requests / 60) * (p.ttftMs / 1000 + outTokens / p.tokensPerSecond);
                // No queue forms, and target tracking's scale-out alarm stays quiet.
                if (concurrency >= m.ready * p.maxConcurrentPerCopy) return false;
                const tt = m.model.targetTracking;
                if (tt && concurrency / m.ready > tt.targetValue) return false;
            }
        }
        return true;
    }

    /** One model's step: arrivals, waking callers, serving, metrics, and its scaling policies. */
    function step(m: ModelState, t: number, minute: number, n: number, minuteEnds: boolean) {
        const span = n * dt;
        const perf = m.model.performance;
        const s = m.series;
        let arrivals = 0;
        let inTokens: number = DEFAULT_TOKENS.inputTokens;
        let outTokens: number = DEFAULT_TOKENS.outputTokens;
        if (s && s.requests[minute] > 0) {
            arrivals = (s.requests[minute] * n) / ticksPerMinute;
            inTokens = s.inputTokens[minute] / s.requests[minute];
            outTokens = s.outputTokens[minute] / s.requests[minute];
            m.requests += arrivals;
            series.requests[Math.floor(minute / minutesPerPoint)] += arrivals;
        }
        void inTokens; // Prompt length shapes TTFT in lib's model; the stand-in's TTFT is one figure.
        const serviceSeconds = perf.ttftMs / 1000 + outTokens / perf.tokensPerSecond;
        const point = Math.floor(minute / minutesPerPoint);

        // Callers that met zero copies retry on the client's schedule; each one served once a copy is up.
        let admitted = 0;
        let admittedService = 0;
        if (m.ready > 0) {
            while (m.coldHead < m.cold.length) {
                const g = m.cold[m.coldHead];
                const wait = retryWaitSeconds(offsets, m.readySince - g.at);
                if (wait === undefined) {
                    m.coldTimeouts += g.count;
                } else if (g.at + wait < t + span) {
                    const service = perf.ttftMs / 1000 + g.outputTokens / perf.tokensPerSecond;
                    const queue = m.backlog / ((m.ready * perf.maxConcurrentPerCopy) / serviceSeconds);
                    m.coldWait.add(wait, g.count);
                    m.queueWait.add(queue, g.count);
                    m.latency.add(wait + queue + service, g.count);
                    m.ttft.add(wait + queue + perf.ttftMs / 1000, g.count);
                    admitted += g.count;
                    admittedService += g.count * service;
                } else break;
                m.coldHead++;
            }
        } else {
            // The budget ran out for callers still waiting: `fm-fleet invoke` gives up on them.
            while (m.coldHead < m.cold.length && m.cold[m.coldHead].at + budgetSeconds < t) {
                m.coldTimeouts += m.cold[m.coldHead].count;
                m.coldHead++;
            }
        }
        if (m.coldHead > 64 && m.coldHead * 2 > m.cold.length) {
            m.cold = m.cold.slice(m.coldHead);
            m.coldHead = 0;
        }

        if (arrivals > 0 && m.ready === 0) {
            // No copy: the call fails with "no capacity" (NoCapacityInvocationFailures) and the caller retries.
            m.cold.push({ at: t + dt / 2, count: arrivals, inputTokens: inTokens, outputTokens: outTokens });
            m.coldStarts += arrivals;
            series.coldStarts[point] += arrivals;
        }
        if (m.coldHead < m.cold.length) m.failuresThisPeriod++;

        if (m.ready > 0) {
            const rate = (m.ready * perf.maxConcurrentPerCopy) / serviceSeconds;
            if (arrivals > 0) {
                // Fluid FIFO: a request that arrives now waits for the backlog ahead of it to drain.
                const queue = m.backlog / rate;
                m.queueWait.add(queue, arrivals);
                m.latency.add(queue + serviceSeconds, arrivals);
                m.ttft.add(queue + perf.ttftMs / 1000, arrivals);
                admitted += arrivals;
                admittedService += arrivals * serviceSeconds;
            }
            m.served += admitted;
            m.backlog = Math.max(0, m.backlog + admitted - rate * span);
            if (m.backlog < 1e-9) m.backlog = 0;
            // In flight (Little's law, up to what the copies hold at once) plus queued, per copy.
            const inFlight = Math.min(admittedService / span, m.ready * perf.maxConcurrentPerCopy);
            const metric = (inFlight + m.backlog) / m.ready;
            m.highSum += metric * n;
            m.highTicks += n;
            m.lowSum += metric * n;
            m.lowTicks += n;
        } else {
            // No copy emits the concurrency metric: target tracking's alarms have no datapoints.
            m.highPoints.clear();
            m.lowPoints.clear();
            m.highSum = m.highTicks = m.lowSum = m.lowTicks = 0;
        }

        trackTarget(m, t, n, minuteEnds);
        wake(m, t, n);
    }

    /** Target tracking on the declared metric: proportional scale-out, cautious scale-in. */
    function trackTarget(m: ModelState, t: number, n: number, minuteEnds: boolean) {
        const tt = m.model.targetTracking;
        if (!tt) return;
        const end = t + n * dt;
        const period = tt.highResolution ? dt : rules.standardPeriodSeconds;
        if (m.highTicks > 0 && end % period === 0) {
            // A calm minute on a 10 s metric is six equal datapoints.
            const value = m.highSum / m.highTicks;
            const datapoints = period === dt ? Math.min(rules.scaleOutDatapoints, n) : 1;
            for (let i = 0; i < datapoints; i++) m.highPoints.push(value);
            m.highSum = m.highTicks = 0;
            if (m.highPoints.full() && m.highPoints.allAbove(tt.targetValue)) {
                const latest = m.highPoints.last();
                // Within the scale-out cooldown, the copies the last scale-out added count towards this one
                // (Application Auto Scaling user guide, "Define cooldown periods"): only a larger count applies.
                const want = Math.min(m.model.copies.max, Math.ceil((latest * m.ready) / tt.targetValue));
                if (want > m.desired) {
                    m.desired = want;
                    m.lastScaleOut = t;
                }
            }
        }
        if (m.lowTicks > 0 && minuteEnds) {
            m.lowPoints.push(m.lowSum / m.lowTicks);
            m.lowSum = m.lowTicks = 0;
            const threshold = tt.targetValue * rules.scaleInThreshold;
            if (
                m.lowPoints.full() &&
                m.lowPoints.allBelow(threshold) &&
                t - m.lastScaleIn >= tt.scaleInCooldownSeconds &&
                t - m.lastScaleOut >= tt.scaleOutCooldownSeconds
            ) {
                const latest = m.lowPoints.last();
                const want = Math.max(m.model.copies.min, Math.ceil((latest * m.ready) / tt.targetValue));
                if (want < m.desired) {
                    m.desired = want;
                    m.lastScaleIn = t;
                    m.lowPoints.clear();
                }
            }
        }
    }

    /** The wake alarm on NoCapacityInvocationFailures and its step policy. */
    function wake(m: ModelState, t: number, n: number) {
        const w = m.model.wake;
        if (!w) return;
        const end = t + n * dt;
        const periodsEnded = Math.floor(end / w.alarmPeriodSeconds) - Math.floor(t / w.alarmPeriodSeconds);
        if (periodsEnded === 0) return;
        m.wakePoints.push(m.failuresThisPeriod);
        for (let i = 1; i < Math.min(periodsEnded, w.evaluationPeriods); i++) m.wakePoints.push(0);
        m.failuresThisPeriod = 0;
        const breaching = m.wakePoints.count((p) => p >= w.threshold);
        if (breaching < w.datapointsToAlarm) {
            m.alarmSince = -1;
            return;
        }
        // The alarm invokes its policy when it enters ALARM, then once a minute while it stays there.
        const invoke = m.alarmSince < 0 || end - m.lastWakeInvoke >= rules.alarmReinvokeSeconds;
        if (m.alarmSince < 0) m.alarmSince = end;
        if (!invoke) return;
        m.lastWakeInvoke = end;
        if (end - m.lastWake < w.cooldownSeconds) return;
        const want = Math.min(m.model.copies.max, m.desired + w.adjustment);
        if (want > m.desired) {
            m.desired = want;
            m.lastWake = end;
        }
    }

    /** Copies follow each model's desired count; managed instance scaling launches instances for copies that cannot place. */
    function reconcile(ep: (typeof endpoints)[number], t: number) {
        for (const m of ep.models) {
            const have = m.copies.length + m.pending;
            if (m.desired > have) m.pending += m.desired - have;
            let excess = have - m.desired;
            while (excess > 0 && m.pending > 0) {
                m.pending--;
                excess--;
            }
            while (excess > 0 && m.copies.length > 0) {
                // Starting copies go first (the latest), then serving ones.
                let pick = 0;
                for (let i = 1; i < m.copies.length; i++) if (m.copies[i].readyAt > m.copies[pick].readyAt) pick = i;
                const [copy] = m.copies.splice(pick, 1);
                copy.instance.freeSlots += m.model.acceleratorsPerCopy;
                if (copy.instance.freeSlots === ep.e.slotsPerInstance) copy.instance.idleSince = t;
                if (copy.readyAt <= t) m.ready--;
                excess--;
            }
        }
        place(ep, t, false);
    }

    function place(ep: (typeof endpoints)[number], t: number, initial: boolean) {
        for (const m of ep.models) {
            const need = m.model.acceleratorsPerCopy;
            while (m.pending > 0) {
                // Bin-pack: the instance with the fewest free slots that still fits the copy.
                let best: Instance | undefined;
                for (const i of ep.instances)
                    if (i.freeSlots >= need && (!best || i.freeSlots < best.freeSlots)) best = i;
                if (!best) {
                    if (ep.instances.length >= ep.e.instances.max) break;
                    const provision = Math.max(
                        0,
                        m.model.performance.coldStartSeconds - m.model.performance.copyStartSeconds,
                    );
                    best = {
                        readyAt: initial ? -Infinity : t + provision,
                        freeSlots: ep.e.slotsPerInstance,
                        idleSince: -1,
                    };
                    ep.instances.push(best);
                }
                best.freeSlots -= need;
                best.idleSince = -1;
                m.copies.push({
                    readyAt: Math.max(t, best.readyAt) + m.model.performance.copyStartSeconds,
                    instance: best,
                });
                m.pending--;
            }
        }
    }

    /** Managed instance scaling's scale-in: idle instances go after a delay; CONSOLIDATION also moves copies. */
    function releaseInstances(ep: (typeof endpoints)[number], t: number) {
        const min = ep.e.instances.min;
        for (let i = ep.instances.length - 1; i >= 0 && ep.instances.length > min; i--) {
            const inst = ep.instances[i];
            if (
                inst.freeSlots === ep.e.slotsPerInstance &&
                inst.idleSince >= 0 &&
                t - inst.idleSince >= rules.idleInstanceReleaseSeconds
            )
                ep.instances.splice(i, 1);
        }
        const policy = ep.e.scaleIn;
        if (policy.strategy !== "CONSOLIDATION" || t - ep.lastConsolidation < policy.cooldownMinutes * 60) return;
        const pendingCopies = ep.models.some((m) => m.pending > 0);
        if (pendingCopies) return;
        for (let step = 0; step < policy.maximumStep && ep.instances.length > min; step++) {
            const used = ep.instances.reduce((n, i) => n + ep.e.slotsPerInstance - i.freeSlots, 0);
            if (Math.ceil(used / ep.e.slotsPerInstance) >= ep.instances.length) return;
            // The least used instance: its copies move (started elsewhere before it goes, assumed seamless).
            let victim = ep.instances[0];
            for (const i of ep.instances) if (i.freeSlots > victim.freeSlots) victim = i;
            const moves: { m: ModelState; copy: Copy; to: Instance }[] = [];
            const free = new Map(ep.instances.filter((i) => i !== victim).map((i) => [i, i.freeSlots]));
            for (const m of ep.models) {
                for (const copy of m.copies) {
                    if (copy.instance !== victim) continue;
                    const to = [...free.entries()].find(([, f]) => f >= m.model.acceleratorsPerCopy)?.[0];
                    if (!to) return;
                    free.set(to, free.get(to)! - m.model.acceleratorsPerCopy);
                    moves.push({ m, copy, to });
                }
            }
            for (const { m, copy, to } of moves) {
                to.freeSlots -= m.model.acceleratorsPerCopy;
                to.idleSince = -1;
                copy.instance = to;
            }
            ep.instances.splice(ep.instances.indexOf(victim), 1);
            ep.lastConsolidation = t;
        }
    }

    // Results.
    const windowHours = minutes / 60;
    const all = { cold: new WeightedHistogram(), queue: new WeightedHistogram(), latency: new WeightedHistogram() };
    const models: ModelResult[] = [];
    const endpointResults: EndpointResult[] = [];
    const instanceHours: Record<string, number> = {};
    const unpriced: string[] = [];
    for (const ep of endpoints) {
        const hours = ep.instanceSeconds / 3600;
        instanceHours[ep.e.instanceType] = (instanceHours[ep.e.instanceType] ?? 0) + hours;
        if (ep.e.usdPerHour === undefined) unpriced.push(`${ep.e.name} (${ep.e.instanceType})`);
        endpointResults.push({
            endpoint: ep.e.name,
            instanceType: ep.e.instanceType,
            instanceHours: hours,
            costUsd: ep.e.usdPerHour === undefined ? null : ep.e.usdPerHour * hours,
            instances: {
                min: Number.isFinite(ep.minInstances) ? ep.minInstances : 0,
                max: ep.maxInstances,
                mean: ticks > 0 ? ep.instanceSeconds / (ticks * dt) : 0,
            },
        });
        for (const m of ep.models) {
            all.cold.merge(m.coldWait);
            all.queue.merge(m.queueWait);
            all.latency.merge(m.latency);
            const slo = m.model.slo;
            const perf = m.model.performance;
            models.push({
                endpoint: ep.e.name,
                model: m.model.name,
                requests: m.requests,
                served: m.served,
                coldStarts: m.coldStarts,
                coldStartTimeouts: m.coldTimeouts,
                unfinished: m.backlog + m.cold.slice(m.coldHead).reduce((n, g) => n + g.count, 0),
                coldStartWaitSeconds: stats(m.coldWait),
                queueWaitSeconds: stats(m.queueWait),
                latencySeconds: stats(m.latency),
                wakes: m.wakes,
                copies: {
                    min: Number.isFinite(m.minCopies) ? m.minCopies : 0,
                    max: m.maxCopies,
                    mean: ticks > 0 ? m.copySeconds / (ticks * dt) : 0,
                },
                slo: slo && {
                    declared: slo,
                    ttftMet:
                        slo.ttftMs === undefined || m.ttft.count === 0
                            ? null
                            : m.ttft.countAtMost(slo.ttftMs / 1000) / m.ttft.count,
                    tokensPerSecondMet:
                        slo.tokensPerSecond === undefined ? null : perf.tokensPerSecond >= slo.tokensPerSecond,
                    coldStartMet:
                        slo.maxColdStartSeconds === undefined || m.coldWait.count + m.coldTimeouts === 0
                            ? null
                            : m.coldWait.countAtMost(slo.maxColdStartSeconds) / (m.coldWait.count + m.coldTimeouts),
                },
                performanceSource: perf.source,
                coldStartEstimateSeconds: perf.coldStartSeconds,
            });
        }
    }
    const sum = (pick: (m: ModelResult) => number) => models.reduce((n, m) => n + pick(m), 0);
    return {
        minutes,
        startWith,
        costUsd,
        monthlyUsd: windowHours > 0 ? (costUsd * HOURS_PER_MONTH) / windowHours : 0,
        unpriced,
        instanceHours,
        requests: sum((m) => m.requests),
        served: sum((m) => m.served),
        coldStarts: sum((m) => m.coldStarts),
        coldStartTimeouts: sum((m) => m.coldStartTimeouts),
        coldStartWaitSeconds: stats(all.cold),
        queueWaitSeconds: stats(all.queue),
        latencySeconds: stats(all.latency),
        endpoints: endpointResults,
        models,
        series,
    };
}

/** The fleet without scale to zero: every model keeps at least one copy (the first counterfactual). */
export function withoutScaleToZero(fleet: SimFleet): SimFleet {
    return {
        endpoints: fleet.endpoints.map((e): SimEndpoint => ({
            ...e,
            models: e.models.map((m) => ({
                ...m,
                copies: { min: Math.max(1, m.copies.min), max: Math.max(1, m.copies.max) },
            })),
        })),
    };
}

/**
 * The dedicated-endpoints baseline's cost over the window: each model and adapter on its own always-on
 * endpoint, as lib/cost.ts prices `dedicatedUsd` (the second counterfactual). No one waits for a start there.
 */
export function dedicatedCostUsd(fleet: SimFleet, minutes: number): number {
    return fleet.endpoints.reduce((n, e) => n + ((e.dedicatedUsdPerHour ?? 0) * minutes) / 60, 0);
}
