import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "dist/", "dist.*/", "policies/dist/", "bench-results/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["bin/**/*.js", "tools/**/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: {
                require: "readonly",
                module: "writable",
                __dirname: "readonly",
                __filename: "readonly",
                process: "readonly",
                AbortController: "readonly",
            },
        },
    },
    {
        rules: {
            // Pulumi's deserialized properties and the analyzer's gRPC messages are untyped by nature.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-non-null-assertion": "off",
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
        },
    },
);
