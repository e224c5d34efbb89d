export * from "./issues";
export * from "./schema";
export * from "./validate";
