export * from "./accelerators";
export * from "./architecture";
export * from "./cold-start";
export * from "./decode";
export * from "./estimate";
export * from "./prefill";
export * from "./slo";
export * from "./advise";
