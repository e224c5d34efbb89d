export * from "./client";
export * from "./cold-start";
export * from "./malformed-response";
export * from "./sessions";
export * from "./stack-outputs";
export * from "./stream";
