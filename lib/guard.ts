/**
 * Safety guard models: the families fm-fleet knows, their hazard categories, the prompt they take and the
 * verdict they answer. Provider-free: the components, the pack and the runtime client read the same facts.
 *
 * Llama Guard 3 (Meta, July 2024), from its model card (llama.com/docs/model-cards-and-prompt-formats/
 * llama-guard-3/, and the meta-llama/Llama-Guard-3-8B card on Hugging Face, read 2026-12-06):
 * - 14 hazard categories S1-S14 (the 13 of the MLCommons hazard taxonomy plus S14 Code Interpreter Abuse);
 * - the prompt: a user turn that states the task, lists the categories between `<BEGIN UNSAFE CONTENT
 *   CATEGORIES>` / `<END UNSAFE CONTENT CATEGORIES>`, the conversation between `<BEGIN CONVERSATION>` /
 *   `<END CONVERSATION>` with turns `User:` and `Agent:`, and asks for an assessment of ONLY THE LAST turn of
 *   the role checked (`User` for a prompt, `Agent` for an answer; an answer is judged with its prompt);
 * - the answer: a first line `safe` or `unsafe`, and when unsafe a second line with the violated categories,
 *   comma-separated (e.g. `unsafe\nS1,S10`).
 */

/** What a guard screens: the prompt before the model sees it, the answer before the caller does. */
export const GUARD_CHECKS = ["input", "output"] as const;
export type GuardCheck = (typeof GUARD_CHECKS)[number];

/** A guard family: its hazard categories (code -> title), in the order its prompt lists them. */
export interface GuardFamily {
    readonly title: string;
    readonly categories: Readonly<Record<string, string>>;
}

/** The guard families fm-fleet knows (Llama Guard 3's categories from its model card, see above). */
export const GUARD_FAMILIES = {
    "llama-guard-3": {
        title: "Llama Guard 3",
        categories: {
            S1: "Violent Crimes",
            S2: "Non-Violent Crimes",
            S3: "Sex-Related Crimes",
            S4: "Child Sexual Exploitation",
            S5: "Defamation",
            S6: "Specialized Advice",
            S7: "Privacy",
            S8: "Intellectual Property",
            S9: "Indiscriminate Weapons",
            S10: "Hate",
            S11: "Suicide & Self-Harm",
            S12: "Sexual Content",
            S13: "Elections",
            S14: "Code Interpreter Abuse",
        },
    },
} as const satisfies Record<string, GuardFamily>;
export type GuardFamilyName = keyof typeof GUARD_FAMILIES;

/**
 * An endpoint's safety guard as the stack outputs name it: the inference component to ask, what it checks and
 * the hazard categories that block. The program exports it; the runtime client screens with it.
 */
export interface GuardNames {
    /** The guard's config name, for messages. */
    readonly name: string;
    readonly inferenceComponentName: string;
    readonly family: GuardFamilyName;
    readonly checks: readonly GuardCheck[];
    /** The hazard categories that block (all of the family's unless the config narrows them). */
    readonly categories: readonly string[];
}

/** Defaults of a guard, in one place. */
export const GUARD_DEFAULTS = { family: "llama-guard-3" as GuardFamilyName } as const;

/** The categories a family defines, in order. */
export const categoriesOf = (family: GuardFamilyName): string[] => Object.keys(GUARD_FAMILIES[family].categories);

/**
 * The Llama Guard 3 prompt for one check: the prompt alone (`input`), or the prompt and the answer
 * (`output`, the card: "when evaluating the agent response, both the user input and the agent response need
 * to be present"). Every category of the family is listed: which ones block is the caller's decision.
 */
export function guardPrompt(
    family: GuardFamilyName,
    check: GuardCheck,
    conversation: { readonly prompt: string; readonly answer?: string },
): string {
    const role = check === "input" ? "User" : "Agent";
    const categories = Object.entries(GUARD_FAMILIES[family].categories)
        .map(([code, title]) => `${code}: ${title}.`)
        .join("\n");
    const turns = [`User: ${conversation.prompt}`];
    if (check === "output") turns.push(`Agent: ${conversation.answer ?? ""}`);
    return (
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n" +
        `Task: Check if there is unsafe content in '${role}' messages in conversations according our safety policy with the below categories.\n\n` +
        `<BEGIN UNSAFE CONTENT CATEGORIES>\n${categories}\n<END UNSAFE CONTENT CATEGORIES>\n\n` +
        `<BEGIN CONVERSATION>\n\n${turns.join("\n\n")}\n\n<END CONVERSATION>\n\n` +
        `Provide your safety assessment for ONLY THE LAST ${role} message in the above conversation:\n` +
        " - First line must read 'safe' or 'unsafe'.\n" +
        " - If unsafe, a second line must include a comma-separated list of violated categories.<|eot_id|>" +
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    );
}

/** A guard's verdict: safe, or unsafe with the categories it named. */
export type GuardVerdict = { readonly safe: true } | { readonly safe: false; readonly categories: string[] };

/**
 * Reads a guard's generated text as a verdict; `undefined` when it is not the family's format (`safe`, or
 * `unsafe` then a line of known category codes), which callers treat as a failure, never as safe.
 */
export function parseGuardVerdict(family: GuardFamilyName, text: string): GuardVerdict | undefined {
    const lines = text
        .trim()
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== "");
    if (lines.length === 1 && lines[0] === "safe") return { safe: true };
    if (lines.length !== 2 || lines[0] !== "unsafe") return undefined;
    const categories = lines[1].split(",").map((c) => c.trim());
    const known = new Set(categoriesOf(family));
    return categories.every((c) => known.has(c)) ? { safe: false, categories } : undefined;
}
