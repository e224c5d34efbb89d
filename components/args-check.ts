import { findInstanceType, hasLocalStorage } from "../lib/catalog";
import { ConfigIssue } from "./config/issues";
import { isS3Url, MAX_NAME_LENGTH, messages, NAME } from "./rules";

/** Thrown by a component whose plain arguments are invalid, before it or any child is registered. */
export class ComponentArgsError extends Error {
    constructor(
        public readonly component: string,
        public readonly resourceName: string,
        public readonly issues: readonly ConfigIssue[],
    ) {
        super(
            `Invalid arguments for ${component} "${resourceName}" (${issues.length} ${issues.length === 1 ? "error" : "errors"}):\n` +
                issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n"),
        );
        this.name = "ComponentArgsError";
    }
}

/**
 * Collects every problem in a component's plain arguments, then throws once. Outputs are not checked:
 * their values are not known when the component is constructed.
 */
export class ArgsCheck {
    private readonly issues: ConfigIssue[] = [];

    constructor(
        private readonly component: string,
        private readonly resourceName: string,
    ) {}

    fail(path: string, message: string): this {
        this.issues.push({ path, message });
        return this;
    }

    /** A whole number >= `least` (skipped when undefined and optional). */
    count(path: string, value: number | undefined, least: number, what: string, optional = false): this {
        if (value === undefined && optional) return this;
        if (typeof value !== "number" || !Number.isInteger(value))
            return this.fail(path, messages.wholeNumber(what, value));
        if (value < least) return this.fail(path, messages.atLeast(least, value, what));
        return this;
    }

    /** A whole number in the API's `[low, high]`, one message for either bound (skipped when undefined). */
    wholeInRange(path: string, value: number | undefined, [low, high]: readonly [number, number], unit: string): this {
        if (value === undefined) return this;
        if (typeof value !== "number" || !Number.isInteger(value))
            return this.fail(path, messages.wholeNumber(unit, value));
        return this.range(path, value, low, high, unit);
    }

    /** `{min, max}` of whole numbers, min >= 0, max >= 1, min <= max. */
    bounds(path: string, bounds: { min: number; max: number }, what: string): this {
        this.count(`${path}.min`, bounds.min, 0, what).count(`${path}.max`, bounds.max, 1, what);
        if (Number.isInteger(bounds.min) && Number.isInteger(bounds.max) && bounds.min > bounds.max) {
            this.fail(path, messages.minAboveMax(bounds.min, bounds.max, what));
        }
        return this;
    }

    s3Url(path: string, value: string, hint: string, prefixOnly = false): this {
        return isS3Url(value, prefixOnly) ? this : this.fail(path, messages.s3Url(value, hint, prefixOnly));
    }

    instanceType(path: string, value: string): this {
        return findInstanceType(value) ? this : this.fail(path, messages.unknownInstanceType(value));
    }

    /** A volume size only where the instance type has no local storage (SageMaker attaches EBS only there). */
    storage(path: string, instanceType: string, volumeSizeInGb: number | undefined): this {
        if (volumeSizeInGb === undefined || hasLocalStorage(instanceType) !== true) return this;
        return this.fail(`${path}.volumeSizeInGb`, messages.volumeOnLocalStorage(instanceType, volumeSizeInGb));
    }

    /** A SageMaker-style name, unique among `seen` when given. */
    name(path: string, value: string): this {
        if (!NAME.test(value)) this.fail(path, messages.nameFormat(value));
        if (value.length > MAX_NAME_LENGTH) this.fail(path, messages.nameLength(value));
        return this;
    }

    /** A number within [low, high] (skipped when undefined). */
    range(path: string, value: number | undefined, low: number, high: number, unit: string): this {
        if (value === undefined || (value >= low && value <= high)) return this;
        return this.fail(path, messages.range(low, high, unit, value));
    }

    /** Throws a {@link ComponentArgsError} naming every problem, if there is one. */
    done(): void {
        if (this.issues.length > 0) throw new ComponentArgsError(this.component, this.resourceName, this.issues);
    }
}
