import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Constructing the pack starts the analyzer server and prints its port: keep this file to just that.
new PolicyPack("fm-fleet-guardrails", { policies });
