import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "dist/", "dist.*/", "policies/dist/", "bench-results/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["bin/**/*.js", "tools/**/*.js", "tests/**/*.js"],
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
        files: ["**/*.ts"],
        rules: {
            // A resource's outputs are set inside super(); under target ES2022 a class field (`x!: T`, `x?: T`)
            // is redefined as undefined right after, so dependents get no Output and no dependency. `declare` it.
            "no-restricted-syntax": [
                "error",
                ...["superClass.name", "superClass.property.name"].flatMap((superClass) =>
                    ["[definite=true]", "[optional=true][declare=false][value=null]"].map((field) => ({
                        selector: `ClassDeclaration[${superClass}=/^(?!ComponentResource$)\\w*Resource$/] > ClassBody > PropertyDefinition${field}[static=false]`,
                        message:
                            "Declare a resource's output fields with `declare`: the engine sets them inside super(), and a class field resets them to undefined (target ES2022).",
                    })),
                ),
            ],
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
