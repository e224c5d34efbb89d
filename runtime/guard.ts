import { GUARD_FAMILIES, GuardCheck, GuardFamilyName, GuardNames, guardPrompt, parseGuardVerdict } from "../lib/guard";

/** An endpoint's safety guard, as the stack outputs name it (lib/guard `GuardNames`). */
export type Guard = GuardNames;

/** The guard judged a prompt (`input`) or an answer (`output`) unsafe in a category that blocks. */
export class GuardBlockedError extends Error {
    constructor(
        public readonly guard: string,
        public readonly check: GuardCheck,
        public readonly categories: readonly string[],
        family: GuardFamilyName,
    ) {
        const titles: Readonly<Record<string, string>> = GUARD_FAMILIES[family].categories;
        super(
            `guard ${guard} blocked the ${check === "input" ? "prompt" : "answer"}: unsafe ${categories.join(",")} ` +
                `(${categories.map((c) => titles[c] ?? c).join(", ")}).`,
        );
        this.name = "GuardBlockedError";
    }
}

/**
 * The guard gave no verdict (no capacity within the cold-start budget, a timeout, an error) or one in a
 * format it does not define: the request fails closed, no answer without a verdict.
 */
export class GuardFailedError extends Error {
    constructor(
        public readonly guard: string,
        reason: string,
        options?: { cause?: unknown },
    ) {
        super(
            `guard ${guard} gave no verdict (${reason}): failing closed. Retry, or call with --no-guard as an operator.`,
            options,
        );
        this.name = "GuardFailedError";
    }
}

const decoder = new TextDecoder();

/**
 * The text a guard judges in a request body: LMI's `inputs`, the Messages API's last user turn, or the
 * body as it is (LMI input schema: docs.djl.ai, "LMI handlers Inference API Schema", v0.31.0).
 */
export function promptTextOf(body: Uint8Array | string | object): string {
    const text = body instanceof Uint8Array ? decoder.decode(body) : typeof body === "string" ? body : undefined;
    let json: any = body;
    if (text !== undefined) {
        try {
            json = JSON.parse(text);
        } catch {
            return text;
        }
    }
    if (typeof json?.inputs === "string") return json.inputs;
    if (Array.isArray(json?.messages)) {
        const users = json.messages.filter((m: any) => m?.role === "user" && typeof m.content === "string");
        if (users.length > 0) return users[users.length - 1].content;
    }
    return text ?? JSON.stringify(body);
}

/**
 * The text a guard judges in an answer: LMI's `generated_text`, the Messages API's first choice, the tokens
 * of a JSON-lines stream (`{"token": {"text": ...}}`), or the answer as it is.
 */
export function answerTextOf(body: Uint8Array | string): string {
    const text = typeof body === "string" ? body : decoder.decode(body);
    const read = (line: string): string | undefined => {
        try {
            const json = JSON.parse(line);
            if (typeof json?.generated_text === "string") return json.generated_text;
            if (typeof json?.choices?.[0]?.message?.content === "string") return json.choices[0].message.content;
            if (typeof json?.token?.text === "string") return json.token.text;
            if (typeof json?.token === "string") return json.token;
        } catch {
            return undefined;
        }
        return undefined;
    };
    const whole = read(text);
    if (whole !== undefined) return whole;
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    const tokens = lines.map(read);
    return tokens.every((t) => t !== undefined) && tokens.length > 0 ? tokens.join("") : text;
}

/** The body sent to the guard: its family's prompt as LMI's `inputs`, decoded greedily and short. */
export function guardRequestBody(
    guard: Guard,
    check: GuardCheck,
    conversation: { prompt: string; answer?: string },
): object {
    return {
        inputs: guardPrompt(guard.family, check, conversation),
        // The verdict is two short lines: a few tokens, no sampling.
        parameters: { max_new_tokens: 20, do_sample: false },
    };
}

/**
 * The guard's answer read as a verdict that blocks or passes: blocks when unsafe in a category the config
 * blocks; a body that is not the family's format is a GuardFailedError (fail closed), in one line.
 */
export function judge(guard: Guard, check: GuardCheck, body: Uint8Array): void {
    const raw = decoder.decode(body);
    let text: string | undefined;
    try {
        const json = JSON.parse(raw);
        text = typeof json?.generated_text === "string" ? json.generated_text : undefined;
    } catch {
        text = undefined;
    }
    const verdict = text === undefined ? undefined : parseGuardVerdict(guard.family, text);
    if (!verdict) {
        const shown = JSON.stringify((text ?? raw).slice(0, 80));
        throw new GuardFailedError(
            guard.name,
            `its answer ${shown} is not ${GUARD_FAMILIES[guard.family].title}'s format: "safe", or "unsafe" and a line of category codes`,
        );
    }
    if (verdict.safe) return;
    const blocking = verdict.categories.filter((c) => guard.categories.includes(c));
    if (blocking.length > 0) throw new GuardBlockedError(guard.name, check, blocking, guard.family);
}
