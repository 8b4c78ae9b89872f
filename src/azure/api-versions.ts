/**
 * Azure OpenAI data-plane api-versions this app knows to exist, so a mistyped
 * AZURE_OPENAI_API_VERSION stops start-up with one clear line instead of failing the first call
 * in Azure after the run has started.
 *
 * Sources: the Azure OpenAI authoring API description 2025-04-01-preview (its info.version) and
 * the Azure OpenAI "API version lifecycle" page (learn.microsoft.com, azure/ai-services/openai/
 * api-version-deprecation: GA and preview releases). The emulator keeps its own list of what Azure
 * serves (dev/aoai-emulator/azure-facts.ts); a contract test checks this one is contained in it.
 */
export const KNOWN_API_VERSIONS: readonly string[] = [
  '2024-02-01',
  '2024-06-01',
  '2024-10-21',
  '2024-05-01-preview',
  '2024-07-01-preview',
  '2024-08-01-preview',
  '2024-09-01-preview',
  '2024-10-01-preview',
  '2024-12-01-preview',
  '2025-01-01-preview',
  '2025-02-01-preview',
  '2025-03-01-preview',
  '2025-04-01-preview',
];

/** The version whose description the contract tests check the app against (the default). */
export const DEFAULT_API_VERSION = '2025-04-01-preview';
