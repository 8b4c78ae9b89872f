/**
 * Azure Resource Manager's name rule for `Microsoft.CognitiveServices/accounts/deployments`.
 *
 * The ARM description (`test/fixtures/specs/.../stable/2025-06-01/cognitiveservices.json`,
 * `parameters.deploymentNameParameter`) declares no pattern for the deployment name, while its
 * sibling names in the same file (`accountNameParameter`, `raiPolicyNameParameter`) read
 * `^[a-zA-Z0-9][a-zA-Z0-9_.-]*$` with length 2-64. Microsoft's "Naming rules and restrictions for
 * Azure resources" page (learn.microsoft.com, azure-resource-manager/management/resource-name-rules)
 * lists the same characters for Cognitive Services and says names are case-insensitive. We hold
 * deployment names to the strictest plausible reading — 2-64 characters, letters, digits, `_`, `.`,
 * `-`, starting with a letter or digit — so a name we build or accept can never be refused at
 * deploy time, after training has been paid for. Because ARM compares names case-insensitively,
 * two datasets must never be told apart by case alone in a deployment name (see runs/run-id.ts).
 */
export const DEPLOYMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$/;
export const DEPLOYMENT_NAME_RULE = "2-64 letters, digits, '_', '-' or '.', starting with a letter or digit";

export function isValidDeploymentName(name: string): boolean {
  return DEPLOYMENT_NAME_PATTERN.test(name);
}
