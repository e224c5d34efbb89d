export * from "./client";
export * from "./cold-start";
export * from "./sessions";
export * from "./stream";
